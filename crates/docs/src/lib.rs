//! Documents for people who file, edit and read them: the annual report of a zone (`ttdz_app::annual::AnnualDocument`),
//! its end-of-term evaluation and the national summary of a year, as Word (.docx), PDF, a standalone web page (HTML),
//! Markdown, or the model itself (JSON); and the charts the pages and the documents draw (`charts`).
//!
//! Each document is said once, as a list of `Block`s (title, headings, notes, tables, figures of charts); one writer
//! per format lays the blocks out. The model is the use case's, so a figure reads the same here as on the page and in
//! the API. PDF goes through `ttdz_pdf::Typesetter`, which also draws the charts as PNG for Word.

pub mod charts;

mod blocks;
mod docx;
mod html;
mod markdown;
mod typst;

pub use blocks::{Block, Chart, Figure, Table};
pub use ttdz_pdf::Typesetter;

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    #[error("cannot write the document: {0}")]
    Write(String),
    /// The typesetter cannot work on this installation (its fonts are missing): the format is unavailable, the
    /// others are not.
    #[error("{0}")]
    Unavailable(String),
}

impl From<ttdz_pdf::TypesetError> for DocumentError {
    fn from(e: ttdz_pdf::TypesetError) -> Self {
        match e {
            ttdz_pdf::TypesetError::FontMissing { .. } => DocumentError::Unavailable(e.to_string()),
            _ => DocumentError::Write(e.to_string()),
        }
    }
}

/// A document's file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Word (.docx).
    Docx,
    /// PDF, the CJK font embedded.
    Pdf,
    /// One web page with its charts and styles inside, printable.
    Html,
    /// Markdown (.md): the text and tables, without charts.
    Markdown,
    /// The model itself, as JSON.
    Json,
}

impl Format {
    /// Every format, by its file extension.
    pub const ALL: [(&'static str, Format); 5] = [
        ("docx", Format::Docx),
        ("pdf", Format::Pdf),
        ("html", Format::Html),
        ("md", Format::Markdown),
        ("json", Format::Json),
    ];

    /// From a file's extension (`docx`, `pdf`, `html`, `md`, `json`).
    pub fn parse(extension: &str) -> Option<Format> {
        Format::ALL.iter().find(|(e, _)| *e == extension).map(|(_, f)| *f)
    }

    pub fn extension(self) -> &'static str {
        Format::ALL.iter().find(|(_, f)| *f == self).map_or("", |(e, _)| e)
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Format::Pdf => "application/pdf",
            Format::Html => "text/html; charset=utf-8",
            Format::Markdown => "text/markdown; charset=utf-8",
            Format::Json => "application/json",
        }
    }
}

/// A document this crate lays out.
pub trait Document: serde::Serialize {
    /// The title, for the file's metadata and the page's `<title>`.
    fn title(&self) -> String;
    /// The day it was made (ISO 8601).
    fn made_on(&self) -> &str;
    /// Everything it says, in order.
    fn blocks(&self) -> Vec<Block>;
}

/// `doc` in `format`; `typesetter` makes the PDF and the charts in Word.
pub fn render(doc: &impl Document, format: Format, typesetter: &Typesetter) -> Result<Vec<u8>, DocumentError> {
    match format {
        Format::Docx => docx::write(&doc.blocks(), typesetter),
        Format::Pdf => {
            let made_on = doc.made_on();
            let date = (|| {
                let mut parts = made_on.splitn(3, '-').map(str::parse::<i32>);
                let (y, m, d) = (parts.next()?.ok()?, parts.next()?.ok()?, parts.next()?.ok()?);
                Some((y, u8::try_from(m).ok()?, u8::try_from(d).ok()?))
            })();
            Ok(typesetter.pdf(&typst::write(&doc.title(), &doc.blocks()), date)?)
        }
        Format::Html => Ok(html::write(&doc.title(), &doc.blocks()).into_bytes()),
        Format::Markdown => Ok(markdown::write(&doc.blocks()).into_bytes()),
        Format::Json => serde_json::to_vec_pretty(doc).map_err(|e| DocumentError::Write(e.to_string())),
    }
}
