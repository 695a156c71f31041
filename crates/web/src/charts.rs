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
    fn a_radar_has_an_axis_per_category_and_two_polygons() {
        let axes: Vec<(String, Option<f64>, Option<f64>)> =
            ["甲", "乙", "丙", "丁", "戊"].iter().map(|a| ((*a).to_owned(), Some(80.0), Some(50.0))).collect();
        let svg = radar("雷达", &axes, "本示范区", "平均");
        assert_eq!(svg.matches("<line").count(), 5);
        assert!(svg.contains(r#"class="zone""#) && svg.contains(r#"class="average""#));
    }
}
