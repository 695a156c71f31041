//! Text encodings of imported files: UTF-8 (with or without a byte-order mark), or GBK where a file is not valid
//! UTF-8 (spreadsheet programs on Chinese Windows still save CSV that way).

use std::borrow::Cow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gbk,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gbk => "GBK",
        }
    }

    /// Decodes a whole buffer: UTF-8 when it is valid UTF-8, otherwise GBK.
    pub fn detect_and_decode(bytes: &[u8]) -> (Encoding, Cow<'_, str>) {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        match std::str::from_utf8(bytes) {
            Ok(s) => (Encoding::Utf8, Cow::Borrowed(s)),
            Err(_) => (Encoding::Gbk, Encoding::Gbk.decode(bytes)),
        }
    }

    /// Decodes bytes known to be in this encoding. Bytes that are not valid GBK become U+FFFD, which the row checks
    /// then reject as they would any other bad text.
    pub fn decode(self, bytes: &[u8]) -> Cow<'_, str> {
        match self {
            Encoding::Utf8 => String::from_utf8_lossy(bytes),
            Encoding::Gbk => encoding_rs::GBK.decode_without_bom_handling(bytes).0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_the_fallback() {
        let (enc, text) = Encoding::detect_and_decode("技术开发".as_bytes());
        assert_eq!((enc, text.as_ref()), (Encoding::Utf8, "技术开发"));
        let (gbk, _, _) = encoding_rs::GBK.encode("技术开发");
        let (enc, text) = Encoding::detect_and_decode(&gbk);
        assert_eq!((enc, text.as_ref()), (Encoding::Gbk, "技术开发"));
        let (_, text) = Encoding::detect_and_decode(b"\xEF\xBB\xBFcode");
        assert_eq!(text, "code");
    }
}
