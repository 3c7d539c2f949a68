# Reference Gi* z-scores for geo/hotspot's TestGiStarAgainstSpdep, computed by R spdep's
# localG (binary weights, self included). Rerun with: Rscript gistar_7x7.R > gistar_7x7.json
suppressMessages(library(spdep))
vals <- c(0, 1, 0, 2, 0, 0, 1,
          1, 0, 3, 1, 0, 1, 0,
          0, 2, 9, 12, 4, 0, 0,
          1, 3, 14, 20, 7, 1, 0,
          0, 1, 5, 8, 3, 0, 1,
          0, 0, 1, 0, 1, 0, 0,
          2, 0, 0, 1, 0, 0, 5)
k <- 0:48
coords <- cbind((k %% 7) * 100, (k %/% 7) * 100)
nb <- include.self(dnearneigh(coords, 0, 150))
lw <- nb2listw(nb, style = "B")
z <- as.numeric(localG(vals, lw))
fmt <- function(x) paste(sprintf("%.15g", x), collapse = ", ")
cat("{\n")
cat(sprintf("  \"source\": \"R %s, spdep %s: localG(x, nb2listw(include.self(dnearneigh(coords, 0, 150)), style = 'B')); see gistar_7x7.R\",\n",
            paste(R.version$major, R.version$minor, sep = "."), packageVersion("spdep")))
cat(sprintf("  \"values\": [%s],\n", fmt(vals)))
cat("  \"neighbours\": [\n")
for (i in seq_along(nb)) cat(sprintf("    [%s]%s\n", paste(sort(nb[[i]]), collapse = ", "), if (i < length(nb)) "," else ""))
cat("  ],\n")
cat(sprintf("  \"z\": [%s]\n", fmt(z)))
cat("}\n")
