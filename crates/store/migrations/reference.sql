-- Reference data: where it came from, the division lists by vintage, the Annex 2 rows, the zones.

CREATE TABLE datasets (
    name      TEXT PRIMARY KEY,
    files     TEXT NOT NULL,            -- newline-separated file names
    sha256    TEXT NOT NULL,
    source    TEXT NOT NULL,
    loaded_at {timestamp} NOT NULL DEFAULT {now}
);

CREATE TABLE division_vintages (
    vintage INTEGER PRIMARY KEY,
    dataset TEXT NOT NULL REFERENCES datasets (name)
);

CREATE TABLE divisions (
    vintage     INTEGER NOT NULL REFERENCES division_vintages (vintage),
    code        TEXT NOT NULL CHECK (length(code) = 6),
    name_zh     TEXT NOT NULL,
    parent_code TEXT,
    grouping_zh TEXT,
    PRIMARY KEY (vintage, code),
    FOREIGN KEY (vintage, parent_code) REFERENCES divisions (vintage, code)
);
CREATE INDEX divisions_by_parent ON divisions (vintage, parent_code);

CREATE TABLE indicators (
    code        TEXT PRIMARY KEY,
    seq         INTEGER NOT NULL UNIQUE,
    category_zh TEXT NOT NULL,
    category_en TEXT NOT NULL,
    name_zh     TEXT NOT NULL,
    unit_zh     TEXT NOT NULL,
    name_en     TEXT NOT NULL,
    unit_en     TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('quantitative', 'qualitative', 'featured')),
    numerator   TEXT,
    denominator TEXT,
    factor      {decimal},
    direction   TEXT CHECK (direction IN ('+', '-'))
);

CREATE TABLE zones (
    key           TEXT PRIMARY KEY,
    name_zh       TEXT NOT NULL,
    short_name_zh TEXT NOT NULL,
    province_code TEXT NOT NULL CHECK (length(province_code) = 6),
    approved      TEXT,                 -- ISO 8601, possibly to the month or year only
    approval_note TEXT NOT NULL,
    source        TEXT NOT NULL
);

CREATE TABLE zone_members (
    zone_key      TEXT NOT NULL REFERENCES zones (key) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    division_code TEXT NOT NULL CHECK (length(division_code) = 6),
    PRIMARY KEY (zone_key, division_code),
    UNIQUE (zone_key, position)
);

CREATE TABLE element_values (
    element       TEXT NOT NULL,
    division_code TEXT NOT NULL CHECK (length(division_code) = 6),
    year          INTEGER NOT NULL,
    value         {decimal} NOT NULL,
    dataset       TEXT NOT NULL REFERENCES datasets (name),
    PRIMARY KEY (element, division_code, year, dataset)
);

CREATE TABLE published_figures (
    dataset       TEXT NOT NULL REFERENCES datasets (name),
    row_index     INTEGER NOT NULL,     -- 1-based data row of the dataset file
    stat          TEXT NOT NULL,
    division_code TEXT CHECK (length(division_code) = 6),
    name_zh       TEXT NOT NULL,
    year          INTEGER NOT NULL,
    value         {decimal} NOT NULL,     -- as printed: {decimal} keeps the scale
    unit_zh       TEXT NOT NULL,
    source_url    TEXT,
    note          TEXT NOT NULL,
    PRIMARY KEY (dataset, row_index)
);
