// Interface texts in Swedish (default) and English. Every visible string goes through t(),
// so switching language re-renders in place; the <html lang> attribute follows the choice.

const texts = {
  sv: {
    title: 'Lägesbild',
    subtitle: 'Karta för kommun och polis',
    notice: 'Illustrativa data – inte verkliga uppgifter',
    langToggle: 'In English',
    langToggleLang: 'en',
    skip: 'Hoppa till listan över stadsdelar',
    controls: 'Kartinställningar',
    layers: 'Lager',
    districts: 'Stadsdelar',
    places: 'Platser',
    observations: 'Observationer',
    interventions: 'Insatser',
    indicator: 'Indikator',
    year: 'År',
    choropleth: 'Indikator på kartan',
    timeWindow: 'Tidsfönster för observationer',
    from: 'Från månad',
    to: 'Till månad',
    mapLabel: 'Karta över Västerås med stadsdelar, platser, observationer och insatser. Använd listan över stadsdelar för att välja med tangentbordet.',
    missing: 'saknas',
    classes: 'Kvantiler, fem klasser',
    darkerWorse: 'Mörkare = större behov',
    lowerWorse: 'högre värde är bättre; skalan är vänd',
    aggregated: 'Under zoomnivå 13: antal per ruta (storlek = antal)',
    severity: 'Allvarlighet',
    place: 'Offentlig plats',
    horizon: 'Tidshorisont',
    selected: 'Valt objekt',
    nothingSelected: 'Klicka på kartan eller välj i en lista för att se uppgifter.',
    close: 'Stäng',
    timeSeries: 'Tidsserie',
    chartTitle: '{name}: {indicator}',
    chartDesc: '{indicator} i {name} per år, {n} värden från {first} till {last}.',
    noSeries: 'Inga värden för den här indikatorn.',
    yearAxis: 'År',
    loading: 'Hämtar…',
    loadError: 'Kunde inte hämta {what}: {msg}',
    tilesMissing: 'Kartplattor kunde inte hämtas: {msg}',
    shownDistrict: 'Visar stadsdel {name}.',
    shownFeature: 'Visar {kind}: {name}.',
    choroplethShown: '{indicator} {year} visas på kartan.',
    population: 'Invånare',
    area: 'Yta (km²)',
    partOfTown: 'Stadsdelsområde',
    policeClass: 'Polisens klassning',
    notListed: 'ej listad',
    code: 'Kod',
    value: 'Värde',
    kind: 'Typ',
    district: 'Stadsdel',
    category: 'Kategori',
    approach: 'Inriktning',
    leadOrg: 'Ansvarig',
    status: 'Status',
    period: 'Period',
    observedAt: 'Observerad',
    source: 'Källa',
    count: 'Antal',
    severitySum: 'Summa allvarlighet',
    cell: 'Ruta med observationer',
    observation: 'Observation',
    intervention: 'Insats',
    openEnded: 'tills vidare',
    unitLabel: 'Enhet',
    mapNav: 'Kartlager och indikator',
    lists: 'Listor',
    viewsNav: 'Vyer',
    viewMap: 'Karta',
    viewPriority: 'Prioritering',
    viewHotspots: 'Brännpunkter',
    skipPriority: 'Hoppa till rangordningen',
    skipHotspots: 'Hoppa till listan över platser',
    hotspotMapLabel: 'Karta över brännpunkter för observationer: rutor färgade efter metodens klass. Listan över platser och teckenförklaringen har samma uppgifter.',
    yes: 'ja',
    no: 'nej',
    demoNotice: 'Illustrativa demodata – inte officiell statistik.',
    inSwedish: '',
    // Singular forms (t() takes key_one when n is 1).
    ivShown_one: '1 insats visas.', cellsShown_one: '1 ruta visas ({method}).', chartDesc_one: '{indicator} i {name} per år, 1 värde ({first}).',
    emergingNote_one: 'Mönster över 1 tidsskiva ({slice}); rutor utan mönster visas inte.',
    plReason_no_actor_one: '1 vecka: ingen aktör verkar mot målets kategorier', plReason_capacity_exhausted_one: '1 vecka: kapaciteten räckte inte',
    plReason_resting_one: '1 vecka: vilar efter koncentrerade veckor', fcTableCaption_one: '{sources}: 1 period. Visad: {model}.',
    // Problem answers of the API, in the reader's language (the API's own detail is English).
    problem400: 'Ogiltig begäran', problem400param: 'Ogiltigt värde för {param}', problem401: 'Du behöver logga in',
    problem403: 'Din organisation har inte behörighet', problem404: 'Finns inte', problem409: 'Krockar med en annan ändring',
    problem412: 'Någon annan har ändrat uppgiften under tiden', problem413: 'Begäran är för stor', problem415: 'Fel format',
    problem422: 'Kunde inte behandlas', problem429: 'För många förfrågningar – vänta en stund', problem503: 'Servern är upptagen – försök igen om en stund',
    problem500: 'Fel i servern',
    // Why a field was refused: the codes of the API's invalid-params (layers.ReasonCodes), with their values.
    reason_invalid: 'kontrollera värdet', reason_required: 'måste fyllas i', reason_out_of_range: 'ska vara mellan {min} och {max}',
    reason_out_of_range_min: 'ska vara minst {min}', reason_out_of_range_max: 'ska vara högst {max}',
    reason_too_long: 'får vara högst {max} tecken', reason_too_many: 'får ha högst {max} delar',
    reason_too_large: 'kräver mer beräkning än servern gör på en gång – be om mindre',
    reason_not_one_of: '”{value}” är inte ett av valen', reason_unknown: '”{value}” finns inte', reason_duplicate: '”{value}” anges två gånger',
    reason_format: 'har fel form', reason_format_date: 'ska vara ett datum (ÅÅÅÅ-MM-DD)', reason_format_time: 'ska vara en tidpunkt',
    reason_format_monday: 'ska vara en måndag (ÅÅÅÅ-MM-DD)', reason_format_number: 'ska vara ett tal', reason_format_integer: 'ska vara ett heltal',
    reason_format_text: 'ska vara en text utan NUL-tecken', reason_format_list: 'ska vara en lista av texter', reason_format_boolean: 'ska vara ja eller nej',
    reason_format_layer_id: 'ska vara 2–63 tecken a–z, 0–9 och bindestreck, först en bokstav',
    reason_format_unit_code: '”{value}” är ingen enhetskod (versaler, siffror och bindestreck, minst en siffra, högst 16 tecken) – aldrig ett namn på en person',
    reason_before: 'får inte ligga före {other}', reason_future: 'ligger i framtiden – logga besök som är gjorda',
    reason_file_empty: 'filen har inga objekt', reason_file_feature: 'objekt {feature} i filen kunde inte läsas',
    reason_file_feature_field: 'objekt {feature} i filen kunde inte läsas ({field})', reason_file_line: 'rad {line} i filen kunde inte läsas',
    reason_file_whole: 'filen kunde inte läsas', reason_file_whole_field: 'filen kunde inte läsas ({field})',
    reason_looks_sweref: 'koordinaterna i objekt {feature} ser ut som SWEREF 99 TM (EPSG:3006): ange koordinatsystemet i filen',
    reason_unsupported: '{value} stöds inte',
    problem400reason: 'Ogiltigt värde för {param}: {reason}',
    // Warnings of the priority analysis (geo/priority), matched by their English text.
    warnLeftOut: 'Indikatorn {key} saknar värde {year} och tas inte med.', warnFeasLeftOut: 'Förutsättningen {key} saknar värden och tas inte med.',
  },
  en: {
    title: 'Lägesbild',
    subtitle: 'Map for the municipality and the police',
    notice: 'Illustrative data – not real figures',
    langToggle: 'På svenska',
    langToggleLang: 'sv',
    skip: 'Skip to the list of districts',
    controls: 'Map settings',
    layers: 'Layers',
    districts: 'Districts',
    places: 'Places',
    observations: 'Observations',
    interventions: 'Interventions',
    indicator: 'Indicator',
    year: 'Year',
    choropleth: 'Indicator on the map',
    timeWindow: 'Time window for observations',
    from: 'From month',
    to: 'To month',
    mapLabel: 'Map of Västerås with districts, places, observations and interventions. Use the list of districts to select with the keyboard.',
    missing: 'missing',
    classes: 'Quantiles, five classes',
    darkerWorse: 'Darker = greater need',
    lowerWorse: 'a higher value is better; the scale is reversed',
    aggregated: 'Below zoom 13: count per cell (size = count)',
    severity: 'Severity',
    place: 'Public place',
    horizon: 'Time horizon',
    selected: 'Selected',
    nothingSelected: 'Click the map or choose from a list to see details.',
    close: 'Close',
    timeSeries: 'Time series',
    chartTitle: '{name}: {indicator}',
    chartDesc: '{indicator} in {name} by year, {n} values from {first} to {last}.',
    noSeries: 'No values for this indicator.',
    yearAxis: 'Year',
    loading: 'Loading…',
    loadError: 'Could not load {what}: {msg}',
    tilesMissing: 'Map tiles could not be loaded: {msg}',
    shownDistrict: 'Showing district {name}.',
    shownFeature: 'Showing {kind}: {name}.',
    choroplethShown: '{indicator} {year} shown on the map.',
    population: 'Inhabitants',
    area: 'Area (km²)',
    partOfTown: 'Part of town',
    policeClass: 'Police classification',
    notListed: 'not listed',
    code: 'Code',
    value: 'Value',
    kind: 'Kind',
    district: 'District',
    category: 'Category',
    approach: 'Approach',
    leadOrg: 'Lead',
    status: 'Status',
    period: 'Period',
    observedAt: 'Observed',
    source: 'Source',
    count: 'Count',
    severitySum: 'Sum of severity',
    cell: 'Cell of observations',
    observation: 'Observation',
    intervention: 'Intervention',
    openEnded: 'open-ended',
    unitLabel: 'Unit',
    mapNav: 'Map layers and indicator',
    lists: 'Lists',
    viewsNav: 'Views',
    viewMap: 'Map',
    viewPriority: 'Prioritisation',
    viewHotspots: 'Hot spots',
    skipPriority: 'Skip to the ranking',
    skipHotspots: 'Skip to the list of places',
    hotspotMapLabel: "Map of observation hot spots: cells coloured by the method's class. The list of places and the legend have the same information.",
    yes: 'yes',
    no: 'no',
    demoNotice: 'Illustrative demo data – not official statistics.',
    inSwedish: '(in Swedish) ',
    ivShown_one: '1 intervention shown.', cellsShown_one: '1 cell shown ({method}).', chartDesc_one: '{indicator} in {name} by year, 1 value ({first}).',
    emergingNote_one: 'Patterns over 1 time slice ({slice}); cells without a pattern are not shown.',
    plReason_no_actor_one: '1 week: no actor works against the target\'s categories', plReason_capacity_exhausted_one: '1 week: capacity ran out',
    plReason_resting_one: '1 week: resting after concentrated weeks', fcTableCaption_one: '{sources}: 1 period. Shown: {model}.',
    reason_invalid: 'check the value', reason_required: 'is required', reason_out_of_range: 'must be between {min} and {max}',
    reason_out_of_range_min: 'must be at least {min}', reason_out_of_range_max: 'must be at most {max}',
    reason_too_long: 'may be at most {max} characters', reason_too_many: 'may have at most {max} items',
    reason_too_large: 'asks for more computation than the server does at once – ask for less',
    reason_not_one_of: '“{value}” is not one of the choices', reason_unknown: '“{value}” does not exist', reason_duplicate: '“{value}” is given twice',
    reason_format: 'has the wrong form', reason_format_date: 'must be a date (YYYY-MM-DD)', reason_format_time: 'must be a point in time',
    reason_format_monday: 'must be a Monday (YYYY-MM-DD)', reason_format_number: 'must be a number', reason_format_integer: 'must be a whole number',
    reason_format_text: 'must be text without NUL characters', reason_format_list: 'must be a list of texts', reason_format_boolean: 'must be yes or no',
    reason_format_layer_id: 'must be 2–63 characters a–z, 0–9 and hyphens, starting with a letter',
    reason_format_unit_code: '“{value}” is not a unit code (capitals, digits and hyphens with at least one digit, at most 16) – never a person\'s name',
    reason_before: 'may not be before {other}', reason_future: 'is in the future – log visits made',
    reason_file_empty: 'the file has no features', reason_file_feature: 'feature {feature} of the file could not be read',
    reason_file_feature_field: 'feature {feature} of the file could not be read ({field})', reason_file_line: 'line {line} of the file could not be read',
    reason_file_whole: 'the file could not be read', reason_file_whole_field: 'the file could not be read ({field})',
    reason_looks_sweref: 'the coordinates of feature {feature} look like SWEREF 99 TM (EPSG:3006): state the coordinate system in the file',
    reason_unsupported: '{value} is not supported',
    warnLeftOut: 'Indicator {key} has no value in {year} and is left out.', warnFeasLeftOut: 'Feasibility input {key} has no values and is left out.',
  },
};

// Labels of the enumerated values the API uses (codes stay in English in the API).
const enums = {
  sv: {
    square: 'torg', park: 'park', centre: 'centrum', school_area: 'skolområde', transit_hub: 'knutpunkt för kollektivtrafik',
    shopping_centre: 'köpcentrum', youth_centre: 'fritidsgård', sports_ground: 'idrottsplats', residential_yard: 'bostadsgård',
    open_drug_dealing: 'öppen narkotikaförsäljning', drug_handling: 'narkotikahantering', drug_use: 'narkotikabruk',
    gathering_insecurity: 'otrygg samling', violence: 'våld', shooting: 'skjutning', vandalism: 'skadegörelse',
    littering: 'nedskräpning', insecurity_report: 'anmäld otrygghet', theft: 'stöld', disorder: 'ordningsstörning',
    police: 'polisen', municipal_field_staff: 'kommunens fältpersonal', safety_walk: 'trygghetsvandring',
    resident_survey: 'boendeenkät', housing_company: 'bostadsbolag', security_guard: 'väktare',
    vinna_slaget: 'vinna slaget', vinna_kriget: 'vinna kriget', bygga_freden: 'bygga freden',
    repressive: 'repressiv', preventive: 'förebyggande', promotive: 'främjande',
    planned: 'planerad', active: 'pågående', paused: 'pausad', completed: 'avslutad', cancelled: 'inställd',
    utsatt: 'utsatt område', risk: 'riskområde', sarskilt_utsatt: 'särskilt utsatt område',
    night_walkers: 'nattvandring', surveillance_cameras: 'kameraövervakning', security_guards: 'ordningsvakter',
    police_presence: 'polisnärvaro', visitation_zone: 'visitationszon', environmental_design: 'situationell prevention',
    cleaning: 'städning', preschool_enrolment: 'förskoleinskrivning', adults_in_school: 'fler vuxna i skolan',
    language: 'språkinsatser', employment: 'sysselsättning', meeting_place: 'mötesplats',
    civil_society_partnership: 'samverkan med civilsamhället', leaving_crime_support: 'stöd att lämna kriminalitet',
    family_support: 'familjestöd', other: 'annat',
  },
  en: {
    square: 'square', park: 'park', centre: 'centre', school_area: 'school area', transit_hub: 'transit hub',
    shopping_centre: 'shopping centre', youth_centre: 'youth centre', sports_ground: 'sports ground', residential_yard: 'residential yard',
    open_drug_dealing: 'open drug dealing', drug_handling: 'drug handling', drug_use: 'drug use',
    gathering_insecurity: 'gathering causing insecurity', violence: 'violence', shooting: 'shooting', vandalism: 'vandalism',
    littering: 'littering', insecurity_report: 'insecurity report', theft: 'theft', disorder: 'disorder',
    police: 'police', municipal_field_staff: 'municipal field staff', safety_walk: 'safety walk',
    resident_survey: 'resident survey', housing_company: 'housing company', security_guard: 'security guard',
    vinna_slaget: 'win the battle', vinna_kriget: 'win the war', bygga_freden: 'build the peace',
    repressive: 'repressive', preventive: 'preventive', promotive: 'promotive',
    planned: 'planned', active: 'active', paused: 'paused', completed: 'completed', cancelled: 'cancelled',
    utsatt: 'vulnerable area', risk: 'risk area', sarskilt_utsatt: 'particularly vulnerable area',
    night_walkers: 'night walkers', surveillance_cameras: 'surveillance cameras', security_guards: 'security guards',
    police_presence: 'police presence', visitation_zone: 'visitation zone', environmental_design: 'environmental design',
    cleaning: 'cleaning', preschool_enrolment: 'preschool enrolment', adults_in_school: 'more adults in school',
    language: 'language', employment: 'employment', meeting_place: 'meeting place',
    civil_society_partnership: 'civil society partnership', leaving_crime_support: 'support to leave crime',
    family_support: 'family support', other: 'other',
  },
};

let lang = 'sv';
const listeners = [];

/** addTexts merges a view's own texts ({sv: {...}, en: {...}}) into the catalogue. */
export function addTexts(extra) {
  for (const l of ['sv', 'en']) Object.assign(texts[l], extra[l]);
}

/** Current language code, 'sv' or 'en'. */
export function getLang() { return lang; }

/**
 * t returns the text for key in the current language, with {name} placeholders filled from
 * vars; when vars.n is 1 and the key has a singular form (key_one) that is taken instead
 * ("1 insats visas", not "1 insatser visas").
 */
export function t(key, vars = {}) {
  const one = String(vars.n) === '1' ? texts[lang][`${key}_one`] : undefined;
  const s = one ?? texts[lang][key] ?? texts.sv[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ''));
}

/** label returns the display name of an enumerated API value, or the value itself. */
export function label(value) {
  if (value == null) return '';
  return enums[lang][value] ?? String(value);
}

/**
 * num formats a number the local way: in Swedish a decimal comma, a thin no-break space
 * (U+202F) between thousands (Intl gives a full-width no-break space) and a true minus.
 */
export function num(v, maxDigits = 1) {
  if (v == null || Number.isNaN(v)) return t('missing');
  // signDisplay 'negative': a value that rounds to zero is "0", never "−0" (legends, tables).
  const s = new Intl.NumberFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', { maximumFractionDigits: maxDigits, signDisplay: 'negative' }).format(v);
  return lang === 'sv' ? s.replace(/\u00a0/g, '\u202f') : s;
}

/** problemText says what a refused or failed API request means, in the reader's language. */
export function problemText(status, problem) {
  if (lang === 'en') return `${status} ${problem?.detail || problem?.title || ''}`.trim();
  const coded = problem?.['invalid-params']?.[0]?.code;
  if (status === 400 && problem?.param && coded && coded !== 'invalid') {
    return `${t('problem400reason', { param: problem.param, reason: problemReason(problem) })} (${status})`;
  }
  if (status === 400 && problem?.param) return `${t('problem400param', { param: problem.param })} (${status})`;
  const key = `problem${status}`;
  return `${texts.sv[key] ? t(key) : t(status >= 500 ? 'problem500' : 'problem400')} (${status})`;
}

/**
 * problemReason is why a 400 refused its parameter, in the reader's language, from the code of
 * the problem's invalid-params (web/problem.go) and its values; field(name) names a field the
 * reason mentions (end_date "before" start_date). The API's detail is English and stays so; a
 * reason without a code is the API's own in English, a general request to check in Swedish.
 */
export function problemReason(problem, field = (name) => name) {
  const ip = problem?.['invalid-params']?.[0];
  const english = (problem?.detail ?? problem?.title ?? '').replace(/^invalid [^:]+: /, '');
  if (!ip?.code || ip.code === 'invalid') return lang === 'en' && (ip?.reason || english) ? (ip?.reason || english) : t('reason_invalid');
  const v = {};
  for (const [k, x] of Object.entries(ip.values ?? {})) v[k] = typeof x === 'number' ? num(x, 2) : String(x);
  if (v.other) v.other = field(ip.values.other);
  switch (ip.code) {
    case 'out_of_range': return t(v.min != null && v.max != null ? 'reason_out_of_range' : v.min != null ? 'reason_out_of_range_min' : 'reason_out_of_range_max', v);
    case 'format': return texts[lang][`reason_format_${v.format}`] ? t(`reason_format_${v.format}`, v) : t('reason_format');
    case 'file_feature': {
      const key = v.feature != null ? 'reason_file_feature' : v.line != null ? 'reason_file_line' : 'reason_file_whole';
      return t(v.field && v.line == null ? `${key}_field` : key, v);
    }
    default: return texts[lang][`reason_${ip.code}`] ? t(`reason_${ip.code}`, v) : (lang === 'en' ? ip.reason : t('reason_invalid'));
  }
}

/** warningText is a warning of the priority analysis in the reader's language. */
export function warningText(w) {
  let m = /^indicator (\S+) has no value in (\d+) and is left out$/.exec(w);
  if (m) return t('warnLeftOut', { key: m[1], year: m[2] });
  m = /^feasibility input (\S+) has no values and is left out$/.exec(w);
  if (m) return t('warnFeasLeftOut', { key: m[1] });
  return w;
}

/** localNotice is the API's bilingual demo notice in the reader's language; other notices as they are. */
export function localNotice(notice) {
  return /^Illustrativa demodata/.test(notice ?? '') ? t('demoNotice') : notice;
}

/** setLang switches the language, updates <html lang> and every [data-i18n] element, then tells listeners. */
export function setLang(l) {
  lang = l === 'en' ? 'en' : 'sv';
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
  for (const fn of listeners) fn(lang);
}

/** onLangChange registers fn to re-render after a language switch. */
export function onLangChange(fn) { listeners.push(fn); }
