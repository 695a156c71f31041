//! Charts drawn on the server as inline SVG: no script, no CDN, readable without JavaScript and printable. Each
//! chart says what it shows in its `aria-label` and `<title>`, and the page puts its numbers beside it (a table one
//! click away, and a CSV download). Floats appear here only to place marks on the canvas.

use std::fmt::Write;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A small line chart of one series over years: the line, a dot per year with a value, the first and last values
/// written at the ends. Years without a value leave a gap.
pub fn trend(label: &str, points: &[(i32, Option<f64>)], shown: &dyn Fn(f64) -> String) -> String {
    let (width, height, pad) = (240.0, 72.0, 6.0);
    let values: Vec<f64> = points.iter().filter_map(|(_, v)| *v).collect();
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="trend" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{0}"><title>{0}</title>"#,
        escape(label)
    );
    if values.is_empty() || points.len() < 2 {
        svg.push_str("</svg>");
        return svg;
    }
    let (low, high) = values.iter().fold((f64::MAX, f64::MIN), |(l, h), v| (l.min(*v), h.max(*v)));
    let span = if high > low { high - low } else { 1.0 };
    let x = |i: usize| pad + (width - 2.0 * pad) * i as f64 / (points.len() - 1) as f64;
    let y = |v: f64| height - 14.0 - (height - 28.0) * (v - low) / span;
    let mut path = String::new();
    let mut pen_down = false;
    for (i, (_, v)) in points.iter().enumerate() {
        match v {
            Some(v) => {
                let _ = write!(path, "{}{:.1},{:.1} ", if pen_down { "L" } else { "M" }, x(i), y(*v));
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    let _ = write!(svg, r##"<path d="{}" fill="none" stroke="#b3261e" stroke-width="1.6"/>"##, path.trim_end());
    for (i, (year, v)) in points.iter().enumerate() {
        if let Some(v) = v {
            let _ = write!(
                svg,
                r#"<circle cx="{:.1}" cy="{:.1}" r="2"><title>{year}: {}</title></circle>"#,
                x(i),
                y(*v),
                escape(&shown(*v))
            );
        }
    }
    let first = points.iter().position(|(_, v)| v.is_some());
    let last = points.iter().rposition(|(_, v)| v.is_some());
    if let (Some(f), Some(l)) = (first, last) {
        let (fy, ly) = (points[f].0, points[l].0);
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{}" font-size="10" text-anchor="start">{fy}: {}</text><text x="{:.1}" y="{}" font-size="10" text-anchor="end">{ly}: {}</text>"#,
            pad,
            height - 2.0,
            escape(&points[f].1.map(shown).unwrap_or_default()),
            width - pad,
            height - 2.0,
            escape(&points[l].1.map(shown).unwrap_or_default())
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A radar of scores from 0 to 100 on named axes: the zone's polygon over the all-zone average's.
pub fn radar(
    label: &str,
    axes: &[(String, Option<f64>, Option<f64>)],
    zone_label: &str,
    average_label: &str,
) -> String {
    // Wider than tall: the axes' names stand left and right of the circle.
    let (width, height, radius) = (440.0, 320.0, 110.0);
    let (cx, cy) = (width / 2.0, height / 2.0);
    let n = axes.len().max(3) as f64;
    let point = |i: usize, v: f64| {
        let angle = -std::f64::consts::FRAC_PI_2 + std::f64::consts::TAU * i as f64 / n;
        (cx + radius * v / 100.0 * angle.cos(), cy + radius * v / 100.0 * angle.sin())
    };
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="radar" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{0}"><title>{0}</title>"#,
        escape(label)
    );
    for ring in [25.0, 50.0, 75.0, 100.0] {
        let ring_points: Vec<String> =
            (0..axes.len()).map(|i| point(i, ring)).map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(svg, r##"<polygon points="{}" fill="none" stroke="#ddd"/>"##, ring_points.join(" "));
    }
    for (i, (name, _, _)) in axes.iter().enumerate() {
        let (x, y) = point(i, 100.0);
        let (lx, ly) = point(i, 118.0);
        let anchor = if (lx - cx).abs() < 1.0 {
            "middle"
        } else if lx > cx {
            "start"
        } else {
            "end"
        };
        let _ = write!(
            svg,
            r##"<line x1="{cx}" y1="{cy}" x2="{x:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{lx:.1}" y="{ly:.1}" font-size="12" text-anchor="{anchor}" dominant-baseline="middle">{}</text>"##,
            escape(name)
        );
    }
    let polygon = |values: Vec<f64>, class: &str, title: &str| {
        let points: Vec<String> =
            values.iter().enumerate().map(|(i, v)| point(i, *v)).map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        format!(r#"<polygon class="{class}" points="{}"><title>{}</title></polygon>"#, points.join(" "), escape(title))
    };
    svg.push_str(&polygon(axes.iter().map(|a| a.2.unwrap_or(0.0)).collect(), "average", average_label));
    svg.push_str(&polygon(axes.iter().map(|a| a.1.unwrap_or(0.0)).collect(), "zone", zone_label));
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars of one figure across areas, each bar's value written at its end; an area without a value has
/// no bar and says so.
pub fn bars(label: &str, items: &[(String, Option<f64>, String)]) -> String {
    // Room for the longest name (a CJK character is about as wide as the font is tall), within reason; a longer
    // name is cut short, whole in its tooltip.
    const MOST: usize = 16;
    let longest = items.iter().map(|(name, _, _)| name.chars().count()).max().unwrap_or(0).min(MOST);
    let name_width = (longest as f64 * 11.0 + 10.0).max(110.0);
    let (width, row) = (250.0 + name_width, 22.0);
    let height = row * items.len() as f64 + 4.0;
    let high = items.iter().filter_map(|(_, v, _)| *v).fold(0.0f64, f64::max);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="bars" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{0}"><title>{0}</title>"#,
        escape(label)
    );
    for (i, (name, value, shown)) in items.iter().enumerate() {
        let y = i as f64 * row + 2.0;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" dominant-baseline="middle">{}</text>"#,
            name_width - 6.0,
            y + row / 2.0 - 1.0,
            if name.chars().count() > MOST {
                format!("{}…<title>{}</title>", escape(&name.chars().take(MOST - 1).collect::<String>()), escape(name))
            } else {
                escape(name)
            }
        );
        let length = match value {
            Some(v) if high > 0.0 => (width - name_width - 70.0) * (v.max(0.0) / high),
            _ => 0.0,
        };
        if value.is_some() {
            let _ = write!(
                svg,
                r##"<rect x="{name_width}" y="{:.1}" width="{length:.1}" height="{:.1}" fill="#b3261e" rx="2"/>"##,
                y + 3.0,
                row - 8.0
            );
        }
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" dominant-baseline="middle">{}</text>"#,
            name_width + length + 4.0,
            y + row / 2.0 - 1.0,
            escape(shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A heat map of a square table: one row per origin (names at the left), one column per destination (the same
/// names, slanted, at the top), each cell shaded by its value against the largest and titled with its figure; an
/// empty cell is left white. `cells[row][column]` is (value, as shown).
pub fn matrix(label: &str, names: &[String], cells: &[Vec<Option<(f64, String)>>]) -> String {
    let (cell, left, top) = (34.0, 120.0, 96.0);
    let n = names.len() as f64;
    let (width, height) = (left + cell * n + 8.0, top + cell * n + 8.0);
    let high = cells.iter().flatten().flatten().map(|(v, _)| *v).fold(0.0f64, f64::max);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="matrix" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{0}"><title>{0}</title>"#,
        escape(label)
    );
    for (i, name) in names.iter().enumerate() {
        let y = top + cell * i as f64 + cell / 2.0;
        let x = left + cell * i as f64 + cell / 2.0;
        let _ = write!(
            svg,
            r#"<text x="{:.1}" y="{y:.1}" font-size="11" text-anchor="end" dominant-baseline="middle">{name}</text><text transform="translate({x:.1},{:.1}) rotate(-50)" font-size="11">{name}</text>"#,
            left - 6.0,
            top - 6.0,
            name = escape(name),
        );
    }
    for (r, row) in cells.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (x, y) = (left + cell * c as f64, top + cell * r as f64);
            let (opacity, title) = match value {
                Some((v, shown)) if high > 0.0 => (0.08 + 0.92 * (v.max(0.0) / high).sqrt(), shown.as_str()),
                Some((_, shown)) => (0.0, shown.as_str()),
                None => (0.0, ""),
            };
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{cell}" height="{cell}" fill="#b3261e" fill-opacity="{opacity:.3}" stroke="#ddd"><title>{} → {}: {}</title></rect>"##,
                escape(names.get(r).map_or("", String::as_str)),
                escape(names.get(c).map_or("", String::as_str)),
                escape(title)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Where each province sits on the tile map: (two-digit code, column, row), roughly as on a map of China.
const TILES: [(&str, u8, u8); 31] = [
    ("23", 9, 0),
    ("15", 6, 1),
    ("22", 9, 1),
    ("65", 1, 2),
    ("11", 7, 2),
    ("21", 8, 2),
    ("62", 4, 3),
    ("64", 5, 3),
    ("14", 6, 3),
    ("13", 7, 3),
    ("12", 8, 3),
    ("63", 3, 4),
    ("61", 5, 4),
    ("41", 6, 4),
    ("37", 8, 4),
    ("54", 2, 5),
    ("51", 4, 5),
    ("50", 5, 5),
    ("42", 6, 5),
    ("34", 7, 5),
    ("32", 8, 5),
    ("31", 9, 5),
    ("53", 4, 6),
    ("52", 5, 6),
    ("43", 6, 6),
    ("36", 7, 6),
    ("33", 8, 6),
    ("45", 5, 7),
    ("44", 6, 7),
    ("35", 8, 7),
    ("46", 6, 8),
];

/// A tile map of the provinces: one square each, roughly where it lies, darker the more zones it builds, each a
/// link to its page. `provinces` gives each province's code, short name and number of zones.
pub fn tile_map(label: &str, provinces: &[(String, String, usize)], zones_word: &str) -> String {
    let (tile, gap) = (52.0, 4.0);
    let width = 10.0 * (tile + gap);
    let height = 9.0 * (tile + gap);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="tiles" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" aria-label="{0}"><title>{0}</title>"#,
        escape(label)
    );
    for (code, column, row) in TILES {
        let Some((full, name, zones)) = provinces.iter().find(|(c, _, _)| c.starts_with(code)) else { continue };
        let (x, y) = (f64::from(column) * (tile + gap), f64::from(row) * (tile + gap));
        let class = match zones {
            0 => "none",
            1 => "one",
            _ => "more",
        };
        let short = ["维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市"]
            .iter()
            .find_map(|suffix| name.strip_suffix(suffix))
            .unwrap_or(name);
        let _ = write!(
            svg,
            r#"<a href="/divisions/{full}"><rect class="{class}" x="{x}" y="{y}" width="{tile}" height="{tile}" rx="4"><title>{} · {zones} {}</title></rect><text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text>{}</a>"#,
            escape(name),
            escape(zones_word),
            x + tile / 2.0,
            y + tile / 2.0 - 2.0,
            escape(short),
            if *zones > 0 {
                format!(
                    r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{zones}</text>"#,
                    x + tile / 2.0,
                    y + tile - 8.0
                )
            } else {
                String::new()
            }
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The width and height of a chart drawn here, from its `viewBox`.
pub fn size(svg: &str) -> Option<(f64, f64)> {
    let start = svg.find("viewBox=\"")? + "viewBox=\"".len();
    let numbers: Vec<f64> = svg[start..].split('"').next()?.split_whitespace().filter_map(|n| n.parse().ok()).collect();
    match numbers[..] {
        [_, _, width, height] if width > 0.0 && height > 0.0 => Some((width, height)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trend_draws_a_dot_per_value_and_leaves_gaps_open() {
        let svg =
            trend("技术合同成交额 <亿元>", &[(2020, Some(1.0)), (2021, None), (2022, Some(3.0))], &|v| {
                format!("{v}")
            });
        assert_eq!(svg.matches("<circle").count(), 2);
        assert_eq!(svg.matches('M').count(), 2, "the line starts again after the gap");
        assert!(svg.contains("&lt;亿元&gt;") && !svg.contains("<亿元>"), "labels are escaped");
        assert!(svg.contains("2020: 1") && svg.contains("2022: 3"));
    }

    #[test]
    fn a_matrix_has_a_cell_per_pair_shaded_by_its_value() {
        let names = vec!["苏南".to_owned(), "<宁波>".to_owned()];
        let cells = vec![
            vec![Some((4.0, "4".to_owned())), None],
            vec![Some((1.0, "1".to_owned())), Some((0.0, "0".to_owned()))],
        ];
        let svg = matrix("流向", &names, &cells);
        assert_eq!(svg.matches("<rect").count(), 4);
        assert!(svg.contains(r##"fill-opacity="1.000" stroke="#ddd"><title>苏南 → 苏南: 4</title>"##), "{svg}");
        assert!(svg.contains("&lt;宁波&gt; → 苏南: 1") && !svg.contains("<宁波>"), "names are escaped");
        assert!(svg.contains(r#"fill-opacity="0.000""#), "an empty cell is white");
    }

    #[test]
    fn the_tile_map_has_a_tile_per_province_shaded_by_its_zones() {
        let provinces = vec![
            ("320000".to_owned(), "江苏省".to_owned(), 1),
            ("330000".to_owned(), "浙江省".to_owned(), 2),
            ("110000".to_owned(), "北京市".to_owned(), 0),
        ];
        let svg = tile_map("地图", &provinces, "个示范区");
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains(r#"class="one""#) && svg.contains(r#"class="more""#) && svg.contains(r#"class="none""#));
        assert!(svg.contains("/divisions/320000") && svg.contains("江苏省"));
    }

    #[test]
    fn bars_scale_to_the_largest_and_an_area_without_a_value_has_none() {
        let items = vec![
            ("浙江".to_owned(), Some(100.0), "100.00".to_owned()),
            ("宁波".to_owned(), Some(50.0), "50.00".to_owned()),
            ("闵行".to_owned(), None, "—".to_owned()),
        ];
        let svg = bars("技术合同成交额", &items);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(r#"width="180.0""#) && svg.contains(r#"width="90.0""#), "{svg}");
        assert!(svg.contains("—"));
    }

    #[test]
    fn a_radar_has_an_axis_per_category_and_two_polygons() {
        let axes: Vec<(String, Option<f64>, Option<f64>)> =
            ["甲", "乙", "丙", "丁", "戊"].iter().map(|a| ((*a).to_owned(), Some(80.0), Some(50.0))).collect();
        let svg = radar("雷达", &axes, "本示范区", "平均");
        assert_eq!(svg.matches("<line").count(), 5);
        assert!(svg.contains(r#"class="zone""#) && svg.contains(r#"class="average""#));
    }
}
