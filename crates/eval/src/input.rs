//! Inputs in COINr's shape: iData (one row per unit: uCode, optional uName and Time, group columns, denominators,
//! one column per indicator) and iMeta (Level, iCode, Direction, Weight, Target, Denominator, Parent, Type).

use std::collections::{HashMap, HashSet};

use crate::EvalError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Indicator,
    Aggregate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetaNode {
    pub code: String,
    pub level: u32,
    pub kind: NodeKind,
    /// +1 when more is better, −1 when less is.
    pub direction: f64,
    pub weight: f64,
    pub target: Option<f64>,
    pub denominator: Option<String>,
    pub parent: Option<String>,
    /// Optional goalposts (low, high) from the columns GoalpostLow and GoalpostHigh.
    pub goalposts: Option<(f64, f64)>,
}

/// A checked tree: codes unique, every parent an aggregate one level or more up, every aggregate with children
/// whose weights are not all zero, every node but the top ones with a parent.
#[derive(Debug, Clone)]
pub struct Meta {
    pub nodes: Vec<MetaNode>,
    pub groups: Vec<String>,
    pub denominators: Vec<String>,
}

impl Meta {
    pub fn indicators(&self) -> impl Iterator<Item = &MetaNode> {
        self.nodes.iter().filter(|n| n.kind == NodeKind::Indicator)
    }

    pub fn aggregates(&self) -> impl Iterator<Item = &MetaNode> {
        self.nodes.iter().filter(|n| n.kind == NodeKind::Aggregate)
    }

    pub fn children<'a>(&'a self, code: &'a str) -> impl Iterator<Item = &'a MetaNode> + 'a {
        self.nodes.iter().filter(move |n| n.parent.as_deref() == Some(code))
    }

    /// A tree built in code (indicators and aggregates), checked as a parsed one is.
    pub fn new(nodes: Vec<MetaNode>) -> Result<Meta, EvalError> {
        let meta = Meta { nodes, groups: Vec::new(), denominators: Vec::new() };
        meta.check()?;
        Ok(meta)
    }

    pub fn parse(file: &str, text: &str) -> Result<Meta, EvalError> {
        let rows = read(file, text)?;
        let err = |line: u64, message: String| EvalError::Input { file: file.to_owned(), line, message };
        let mut nodes = Vec::new();
        let mut groups = Vec::new();
        let mut denominators = Vec::new();
        for (line, row) in &rows {
            let get = |k: &str| row.get(k).map(String::as_str).unwrap_or("").trim();
            let code = get("iCode");
            if code.is_empty() {
                return Err(err(*line, "iCode is empty".into()));
            }
            let number = |k: &str| -> Result<Option<f64>, EvalError> {
                let v = get(k);
                if v.is_empty() || v == "NA" {
                    return Ok(None);
                }
                v.parse::<f64>().map(Some).map_err(|_| err(*line, format!("{k} of {code}: '{v}' is not a number")))
            };
            let kind = match get("Type") {
                "Indicator" => NodeKind::Indicator,
                "Aggregate" => NodeKind::Aggregate,
                "Group" => {
                    groups.push(code.to_owned());
                    continue;
                }
                "Denominator" => {
                    denominators.push(code.to_owned());
                    continue;
                }
                "Other" => continue,
                other => {
                    return Err(err(
                        *line,
                        format!("Type of {code}: '{other}' is not Indicator, Aggregate, Group, Denominator or Other"),
                    ));
                }
            };
            let level = number("Level")?
                .filter(|l| *l >= 1.0 && l.fract() == 0.0)
                .ok_or_else(|| err(*line, format!("Level of {code} must be a whole number from 1")))?
                as u32;
            let direction = number("Direction")?.unwrap_or(1.0);
            if direction != 1.0 && direction != -1.0 {
                return Err(err(*line, format!("Direction of {code} must be 1 or -1")));
            }
            let weight = number("Weight")?.unwrap_or(1.0);
            if !weight.is_finite() || weight < 0.0 {
                return Err(err(*line, format!("Weight of {code} must not be negative")));
            }
            let goalposts = match (number("GoalpostLow")?, number("GoalpostHigh")?) {
                (Some(l), Some(h)) if l < h => Some((l, h)),
                (Some(_), Some(_)) => return Err(err(*line, format!("goalposts of {code}: low must be below high"))),
                _ => None,
            };
            nodes.push(MetaNode {
                code: code.to_owned(),
                level,
                kind,
                direction,
                weight,
                target: number("Target")?,
                denominator: Some(get("Denominator")).filter(|d| !d.is_empty() && *d != "NA").map(str::to_owned),
                parent: Some(get("Parent")).filter(|p| !p.is_empty() && *p != "NA").map(str::to_owned),
                goalposts,
            });
        }
        let meta = Meta { nodes, groups, denominators };
        meta.check()?;
        Ok(meta)
    }

    fn check(&self) -> Result<(), EvalError> {
        let tree = |m: String| EvalError::Tree(m);
        let mut seen = HashSet::new();
        for n in &self.nodes {
            if !seen.insert(n.code.as_str()) {
                return Err(tree(format!("node {} appears twice", n.code)));
            }
        }
        let by_code: HashMap<&str, &MetaNode> = self.nodes.iter().map(|n| (n.code.as_str(), n)).collect();
        let top = self.nodes.iter().map(|n| n.level).max().unwrap_or(1);
        if !self.nodes.iter().any(|n| n.kind == NodeKind::Indicator) {
            return Err(tree("there are no indicators".into()));
        }
        for n in &self.nodes {
            if n.kind == NodeKind::Indicator && n.level != 1 {
                return Err(tree(format!("indicator {} is at level {}, not 1", n.code, n.level)));
            }
            if n.kind == NodeKind::Aggregate && n.level < 2 {
                return Err(tree(format!("aggregate {} is at level 1", n.code)));
            }
            if let Some(d) = &n.denominator
                && !self.denominators.contains(d)
            {
                return Err(tree(format!("node {} names denominator {d}, which is no Denominator column", n.code)));
            }
            match &n.parent {
                None if n.level < top => {
                    return Err(tree(format!("node {} (level {}) is an orphan: it has no parent", n.code, n.level)));
                }
                None => {}
                Some(p) => {
                    let Some(parent) = by_code.get(p.as_str()) else {
                        return Err(tree(format!("node {} names parent {p}, which is not in the tree", n.code)));
                    };
                    if parent.kind != NodeKind::Aggregate || parent.level <= n.level {
                        // Levels strictly increase towards the top, so a cycle always shows up here.
                        return Err(tree(format!(
                            "node {} (level {}) cannot have parent {p} (level {}): a cycle or a level inversion",
                            n.code, n.level, parent.level
                        )));
                    }
                }
            }
        }
        for a in self.aggregates() {
            let weights: Vec<f64> = self.children(&a.code).map(|c| c.weight).collect();
            if weights.is_empty() {
                return Err(tree(format!("aggregate {} has no children", a.code)));
            }
            if weights.iter().all(|w| *w == 0.0) {
                return Err(tree(format!("the weights under {} are all zero", a.code)));
            }
        }
        Ok(())
    }
}

/// One unit per row, values by column.
#[derive(Debug, Clone)]
pub struct Panel {
    pub units: Vec<String>,
    pub groups: HashMap<String, Vec<Option<String>>>,
    pub denominators: HashMap<String, Vec<Option<f64>>>,
    /// Indicator code → value per unit.
    pub values: HashMap<String, Vec<Option<f64>>>,
    /// Indicator code → each unit's latest value from an earlier year, for `latest_year` imputation.
    pub carry: HashMap<String, Vec<Option<f64>>>,
}

impl Panel {
    /// A panel built in code: units and, per indicator code, a value per unit.
    pub fn new(units: Vec<String>, values: HashMap<String, Vec<Option<f64>>>, meta: &Meta) -> Result<Panel, EvalError> {
        for i in meta.indicators() {
            match values.get(&i.code) {
                Some(v) if v.len() == units.len() => {}
                _ => {
                    return Err(EvalError::Tree(format!(
                        "indicator {} has no value column of {} units",
                        i.code,
                        units.len()
                    )));
                }
            }
        }
        Ok(Panel { units, groups: HashMap::new(), denominators: HashMap::new(), values, carry: HashMap::new() })
    }

    /// Parses iData of one year against iMeta: every indicator, group and denominator of iMeta must have its
    /// column, and every column must be known to iMeta (or be uCode, uName, Time).
    pub fn parse(file: &str, text: &str, meta: &Meta) -> Result<Panel, EvalError> {
        Panel::parse_year(file, text, meta, None)
    }

    /// Parses iData that may hold several years (a `Time` column) and keeps the rows of `year`; the earlier rows
    /// give each unit's latest earlier value. With several years, `year` is required.
    pub fn parse_year(file: &str, text: &str, meta: &Meta, year: Option<i32>) -> Result<Panel, EvalError> {
        let rows = read(file, text)?;
        let err = |line: u64, message: String| EvalError::Input { file: file.to_owned(), line, message };
        let Some((_, first)) = rows.first() else { return Err(err(1, "no units".into())) };
        let indicators: Vec<&str> = meta.indicators().map(|n| n.code.as_str()).collect();
        for needed in indicators
            .iter()
            .copied()
            .chain(meta.groups.iter().map(String::as_str))
            .chain(meta.denominators.iter().map(String::as_str))
            .chain(["uCode"])
        {
            if !first.contains_key(needed) {
                return Err(err(1, format!("there is no column {needed}")));
            }
        }
        for column in first.keys() {
            if meta.aggregates().any(|a| &a.code == column) {
                return Err(err(1, format!("column {column} is an aggregate: iData holds indicators only")));
            }
            let known = ["uCode", "uName", "Time"].contains(&column.as_str())
                || indicators.contains(&column.as_str())
                || meta.groups.contains(column)
                || meta.denominators.contains(column);
            if !known {
                return Err(err(1, format!("column {column} is not in iMeta")));
            }
        }
        // The year of each row (None without a Time column).
        let mut times = Vec::with_capacity(rows.len());
        for (line, row) in &rows {
            let t = row.get("Time").map(|s| s.trim()).filter(|s| !s.is_empty() && *s != "NA");
            times.push(match t {
                None => None,
                Some(t) => Some(
                    t.parse::<f64>()
                        .ok()
                        .filter(|y| y.fract() == 0.0)
                        .map(|y| y as i32)
                        .ok_or_else(|| err(*line, format!("Time '{t}' is not a year")))?,
                ),
            });
        }
        let mut distinct: Vec<i32> = times.iter().flatten().copied().collect();
        distinct.sort_unstable();
        distinct.dedup();
        let chosen = match (year, distinct.as_slice()) {
            (Some(y), _) if distinct.is_empty() || distinct.contains(&y) => Some(y),
            (Some(y), _) => return Err(err(1, format!("the data hold no rows for year {y} (years: {distinct:?})"))),
            (None, [] | [_]) => distinct.first().copied(),
            (None, _) => {
                return Err(err(1, format!("the data hold the years {distinct:?}: choose one with year = ...")));
            }
        };
        let in_year = |t: Option<i32>| chosen.is_none() || t.is_none() || t == chosen;

        let mut panel = Panel {
            units: Vec::new(),
            groups: HashMap::new(),
            denominators: HashMap::new(),
            values: HashMap::new(),
            carry: HashMap::new(),
        };
        // Each unit's latest earlier value per indicator: (year, value).
        let mut earlier: HashMap<(&str, String), (i32, f64)> = HashMap::new();
        for ((line, row), time) in rows.iter().zip(&times) {
            let get = |k: &str| row.get(k).map(String::as_str).unwrap_or("").trim();
            let code = get("uCode");
            if code.is_empty() {
                return Err(err(*line, "uCode is empty".into()));
            }
            let number = |k: &str| -> Result<Option<f64>, EvalError> {
                let v = get(k);
                if v.is_empty() || v == "NA" {
                    return Ok(None);
                }
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Some(x)),
                    _ => Err(err(*line, format!("{k} of {code}: '{v}' is not a number"))),
                }
            };
            if !in_year(*time) {
                if let (Some(t), Some(c)) = (time, chosen)
                    && *t < c
                {
                    for i in &indicators {
                        if let Some(v) = number(i)? {
                            let slot = earlier.entry((*i, code.to_owned())).or_insert((*t, v));
                            if *t >= slot.0 {
                                *slot = (*t, v);
                            }
                        }
                    }
                }
                continue;
            }
            if panel.units.iter().any(|u| u == code) {
                return Err(err(*line, format!("unit {code} appears twice")));
            }
            panel.units.push(code.to_owned());
            for i in &indicators {
                let v = number(i)?;
                panel.values.entry((*i).to_owned()).or_default().push(v);
            }
            for d in &meta.denominators {
                let v = number(d)?;
                panel.denominators.entry(d.clone()).or_default().push(v);
            }
            for g in &meta.groups {
                let v = Some(get(g)).filter(|s| !s.is_empty() && *s != "NA").map(str::to_owned);
                panel.groups.entry(g.clone()).or_default().push(v);
            }
        }
        for i in &indicators {
            let carried = panel.units.iter().map(|u| earlier.get(&(*i, u.clone())).map(|(_, v)| *v)).collect();
            panel.carry.insert((*i).to_owned(), carried);
        }
        Ok(panel)
    }
}

/// A CSV row: its line and its text by column.
type Row = (u64, HashMap<String, String>);

fn read(file: &str, text: &str) -> Result<Vec<Row>, EvalError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| EvalError::Input {
            file: file.to_owned(),
            line: 1,
            message: format!("cannot read the header: {e}"),
        })?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| EvalError::Input {
            file: file.to_owned(),
            line: e.position().map_or(0, |p| p.line()),
            message: format!("unreadable row: {e}"),
        })?;
        let line = record.position().map_or(0, |p| p.line());
        rows.push((line, header.iter().cloned().zip(record.iter().map(str::to_owned)).collect()));
    }
    Ok(rows)
}
