//! Markdown: the text and the tables; charts are left to the formats that can draw them.

use crate::Block;

pub fn write(blocks: &[Block]) -> String {
    let mut md = String::new();
    for block in blocks {
        match block {
            Block::Title(text) => md.push_str(&format!("# {text}\n\n")),
            Block::Paragraph(text) => md.push_str(&format!("{text}\n\n")),
            Block::Note(text) => md.push_str(&format!("> {text}\n\n")),
            Block::Heading(text) => md.push_str(&format!("## {text}\n\n")),
            Block::Subheading(text) => md.push_str(&format!("### {text}\n\n")),
            Block::Table(table) => {
                let line = |cells: &[String]| {
                    let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "／").replace('\n', " ")).collect();
                    format!("| {} |\n", cells.join(" | "))
                };
                md.push_str(&line(&table.headers));
                md.push_str(&format!("|{}\n", "---|".repeat(table.headers.len())));
                for row in &table.rows {
                    md.push_str(&line(row));
                }
                md.push('\n');
            }
            Block::Figure(_) => {}
        }
    }
    md
}
