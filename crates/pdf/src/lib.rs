//! TTDZ's typesetter: Typst source laid out as PDF with a CJK font embedded (subset to the characters used), and
//! SVG charts drawn as PNG for Word. Both need a static CJK font: Noto Sans CJK from Debian's fonts-noto-cjk where
//! installed, or the files the configuration names. Variable CJK fonts render as empty boxes here, so only static
//! faces are loaded. The fonts are read on first use, not at start-up: a platform without them serves everything
//! but PDF and the charts in Word, and says so by name when asked for those.
//!
//! This crate knows nothing of TTDZ's documents; `ttdz-docs` writes the Typst source. It stays on its own because
//! Typst doubles a clean build's CPU time: nothing else waits for it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The family documents are set in; it must be among the fonts loaded.
pub const FAMILY: &str = "Noto Sans CJK SC";

#[derive(Debug, Clone, thiserror::Error)]
pub enum TypesetError {
    /// No static face of the CJK family could be read: PDF cannot be made on this installation.
    #[error(
        "no static '{FAMILY}' font could be read from {tried} (install Debian's fonts-noto-cjk, or name the font files in the configuration)"
    )]
    FontMissing { tried: String },
    /// The Typst source did not compile: a defect in the document's layout, not in the user's data.
    #[error("the document could not be laid out: {0}")]
    Layout(String),
    #[error("the chart could not be drawn: {0}")]
    Chart(String),
}

/// Fonts read once, then shared by every document and chart.
struct Fonts {
    typst: Vec<Font>,
    book: LazyHash<FontBook>,
    /// The same faces for drawing SVG charts.
    database: Arc<fontdb::Database>,
}

/// Lays out Typst source as PDF and draws SVG as PNG. Cheap to build; the fonts are read at the first use.
pub struct Typesetter {
    paths: Vec<PathBuf>,
    fonts: OnceLock<Result<Fonts, TypesetError>>,
    library: LazyHash<Library>,
}

impl std::fmt::Debug for Typesetter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Typesetter").field("paths", &self.paths).finish_non_exhaustive()
    }
}

impl Default for Typesetter {
    fn default() -> Self {
        Typesetter::new(Typesetter::DEFAULT_FONTS.iter().map(PathBuf::from).collect())
    }
}

impl Typesetter {
    /// Where Debian's fonts-noto-cjk puts its static Noto Sans CJK collections (regular and bold).
    pub const DEFAULT_FONTS: [&str; 2] = [
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    ];

    /// A typesetter reading its fonts from `paths` (font files or collections); those missing are skipped.
    pub fn new(paths: Vec<PathBuf>) -> Typesetter {
        Typesetter { paths, fonts: OnceLock::new(), library: LazyHash::new(Library::default()) }
    }

    fn fonts(&self) -> Result<&Fonts, TypesetError> {
        self.fonts.get_or_init(|| load(&self.paths)).as_ref().map_err(Clone::clone)
    }

    /// Whether the fonts can be read (they are read now if they were not).
    pub fn ready(&self) -> Result<(), TypesetError> {
        self.fonts().map(|_| ())
    }

    /// `source` (Typst markup) laid out as a PDF; `made_on` dates the document.
    pub fn pdf(&self, source: &str, made_on: Option<(i32, u8, u8)>) -> Result<Vec<u8>, TypesetError> {
        let fonts = self.fonts()?;
        let world = OneFile {
            library: &self.library,
            fonts,
            source: Source::new(FileId::new(None, VirtualPath::new("main.typ")), source.to_owned()),
            today: made_on.and_then(|(y, m, d)| Datetime::from_ymd(y, m, d)),
        };
        let document: PagedDocument = typst::compile(&world).output.map_err(|e| layout_error(&e))?;
        let options = typst_pdf::PdfOptions::default();
        typst_pdf::pdf(&document, &options).map_err(|e| layout_error(&e))
    }

    /// `svg` drawn as a PNG at `scale` times its own size, its text in the CJK family.
    pub fn png(&self, svg: &str, scale: f32) -> Result<Vec<u8>, TypesetError> {
        let fonts = self.fonts()?;
        let options = usvg::Options {
            font_family: FAMILY.to_owned(),
            fontdb: fonts.database.clone(),
            ..usvg::Options::default()
        };
        let tree = usvg::Tree::from_str(svg, &options).map_err(|e| TypesetError::Chart(e.to_string()))?;
        let size = tree.size().to_int_size().scale_by(scale).ok_or_else(|| TypesetError::Chart("empty".into()))?;
        let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())
            .ok_or_else(|| TypesetError::Chart(format!("cannot draw {}x{}", size.width(), size.height())))?;
        pixmap.fill(tiny_skia::Color::WHITE);
        resvg::render(&tree, tiny_skia::Transform::from_scale(scale, scale), &mut pixmap.as_mut());
        pixmap.encode_png().map_err(|e| TypesetError::Chart(e.to_string()))
    }
}

fn layout_error(diagnostics: &[SourceDiagnostic]) -> TypesetError {
    TypesetError::Layout(diagnostics.iter().map(|d| d.message.to_string()).collect::<Vec<_>>().join("; "))
}

/// Every face of the files at `paths` that can be read, keeping only static ones; an error unless the CJK family
/// is among them.
fn load(paths: &[PathBuf]) -> Result<Fonts, TypesetError> {
    let mut typst = Vec::new();
    let mut database = fontdb::Database::new();
    for path in paths {
        let Ok(data) = std::fs::read(path) else { continue };
        for font in Font::iter(Bytes::new(data.clone())) {
            if !variable(&font) {
                typst.push(font);
            }
        }
        database.load_font_data(data);
    }
    if !typst.iter().any(|f| f.info().family == FAMILY) {
        return Err(TypesetError::FontMissing { tried: list(paths) });
    }
    let book = LazyHash::new(FontBook::from_infos(typst.iter().map(|f| f.info().clone())));
    Ok(Fonts { typst, book, database: Arc::new(database) })
}

/// A variable font has an `fvar` table: Typst would draw its CJK glyphs as boxes.
fn variable(font: &Font) -> bool {
    font.ttf().tables().fvar.is_some()
}

fn list(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        return "no font files".to_owned();
    }
    paths.iter().map(|p| Path::new(p).display().to_string()).collect::<Vec<_>>().join(", ")
}

/// The world a document is laid out in: its one source file and the fonts, nothing from disk or the network.
struct OneFile<'a> {
    library: &'a LazyHash<Library>,
    fonts: &'a Fonts,
    source: Source,
    today: Option<Datetime>,
}

impl World for OneFile<'_> {
    fn library(&self) -> &LazyHash<Library> {
        self.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.fonts.book
    }

    fn main(&self) -> FileId {
        self.source.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.source.id() {
            Ok(self.source.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.typst.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        self.today
    }
}
