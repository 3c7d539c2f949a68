# Turns .ci/bench.sh's results.tsv into the side-by-side table (markdown): per work and
# connection count each side's runs as requests/s (p99 ms), and the range of the ratio of
# each run pair (A's run k against B's run k, taken in the same minutes).
#   awk -F'\t' -f .ci/bench-table.awk bench-results/results.tsv
NR > 1 {
  key = $1 "\t" $2
  if (!(key in seen)) { seen[key] = 1; order[++n] = key }
  if (!((key, "a") in name)) name[key, "a"] = $3
  side = ($3 == name[key, "a"]) ? "a" : "b"
  name[key, side] = $3
  k = ++cnt[key, side]
  rps[key, side, k] = $5; p99[key, side, k] = $7
  if ($9 > 0) bad[key] = bad[key] " " $3 " run " $4 ": " $9 " errors"
}
function fmt(x,   s) { s = sprintf("%.0f", x); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
END {
  for (i = 1; i <= n; i++) {
    key = order[i]; split(key, kc, "\t")
    a = ""; b = ""; lo = 1e9; hi = 0
    for (k = 1; k <= cnt[key, "a"]; k++) {
      a = a (k > 1 ? " / " : "") fmt(rps[key, "a", k]) " (" fmt(p99[key, "a", k]) ")"
      b = b (k > 1 ? " / " : "") fmt(rps[key, "b", k]) " (" fmt(p99[key, "b", k]) ")"
      r = rps[key, "a", k] / rps[key, "b", k]; if (r < lo) lo = r; if (r > hi) hi = r
    }
    ratio = sprintf("%.2f", lo) (hi - lo >= 0.005 ? sprintf("–%.2f", hi) : "") "×"
    printf "| %s | %s | %s | %s | %s | %s | %s |\n", kc[1], kc[2], name[key, "a"], a, name[key, "b"], b, ratio
  }
  for (i = 1; i <= n; i++) {
    key = order[i]; split(key, kc, "\t")
    if (key in bad) printf "\nerrors in %s (c=%s):%s\n", kc[1], kc[2], bad[key]
  }
}
