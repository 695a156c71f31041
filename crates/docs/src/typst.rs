//! Typst source for the PDF: A4, the CJK family, page numbers, table headers repeated on every page. Every text
//! from the model enters as a Typst string literal, never as markup, so no character in it can change the layout.

use crate::Block;

/// `text` as a Typst string literal.
fn literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

pub fn write(title: &str, blocks: &[Block]) -> String {
    let mut src = format!(
        r##"#set document(title: {title})
#set page(paper: "a4", margin: 2.54cm, footer: context align(center, text(size: 9pt)[第 #counter(page).display() 页]))
#set text(font: "{family}", size: 10.5pt, lang: "zh", region: "cn")
#set par(leading: 0.75em, spacing: 0.9em)
#show heading.where(level: 1): set text(size: 14pt)
#show heading.where(level: 2): set text(size: 12pt)
#show heading: set block(above: 1.4em, below: 0.8em)
#let note(body) = text(fill: rgb("#b3261e"), body)
"##,
        title = literal(title),
        family = ttdz_pdf::FAMILY
    );
    for block in blocks {
        match block {
            Block::Title(text) => src.push_str(&format!(
                "#align(center, text(size: 18pt, weight: \"bold\", {}))\n#v(0.6em)\n",
                literal(text)
            )),
            Block::Paragraph(text) => src.push_str(&format!("#par({})\n", literal(text))),
            Block::Note(text) => src.push_str(&format!("#par(note({}))\n", literal(text))),
            Block::Heading(text) => src.push_str(&format!("#heading(level: 1, {})\n", literal(text))),
            Block::Subheading(text) => src.push_str(&format!("#heading(level: 2, {})\n", literal(text))),
            Block::Table(table) => {
                let widths: Vec<String> = table.widths.iter().map(|w| format!("{w}fr")).collect();
                let small = if table.headers.len() > 6 { "8pt" } else { "9.5pt" };
                src.push_str(&format!(
                    "#text(size: {small}, table(columns: ({},), stroke: 0.5pt + rgb(\"#999999\"), inset: 4pt,\n  table.header(repeat: true, {}),\n",
                    widths.join(", "),
                    table.headers.iter().map(|h| format!("strong({})", literal(h))).collect::<Vec<_>>().join(", ")
                ));
                for row in &table.rows {
                    src.push_str("  ");
                    for cell in row {
                        src.push_str(&literal(cell));
                        src.push_str(", ");
                    }
                    src.push('\n');
                }
                src.push_str("))\n");
            }
            Block::Figure(figure) => {
                let columns = figure.columns.max(1);
                src.push_str(&format!("#figure(grid(columns: {columns}, gutter: 8pt,\n"));
                for chart in &figure.charts {
                    let (width, _) = figure.printed_size(chart);
                    src.push_str(&format!(
                        "  stack(spacing: 3pt, text(size: 8pt, {}), image(bytes({}), format: \"svg\", width: {width:.2}cm)),\n",
                        literal(&chart.label),
                        literal(&chart.svg)
                    ));
                }
                src.push_str(&format!(
                    "), caption: {}, supplement: none, numbering: none)\n",
                    literal(&figure.caption)
                ));
            }
        }
    }
    src
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_literal_keeps_quotes_backslashes_and_markup_as_text() {
        assert_eq!(super::literal(r#"a "b" \ #c *d* $e$"#), r#""a \"b\" \\ #c *d* $e$""#);
        assert_eq!(super::literal("x\ny"), r#""x\ny""#);
    }
}
