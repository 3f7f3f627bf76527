//! The pickle opcodes of protocols 0-5 and how each one's argument is encoded, so a stream can
//! be cut into opcodes without running any of them (what Python's `pickletools.genops` does).

/// How the argument that follows an opcode byte is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ArgKind {
    /// No argument.
    Nothing,
    /// A fixed number of bytes.
    Fixed(usize),
    /// Text up to and excluding a newline.
    Line,
    /// Two newline-terminated lines (module and name of a `GLOBAL` or `INST`).
    TwoLines,
    /// A 1-byte length, then that many bytes.
    LenU8,
    /// A 4-byte little-endian unsigned length, then that many bytes.
    LenU32,
    /// A 4-byte little-endian signed length (negative is an error), then that many bytes.
    LenI32,
    /// An 8-byte little-endian length, then that many bytes.
    LenU64,
}

/// One opcode: its byte, its name, and its argument's encoding.
#[derive(Debug, Clone, Copy)]
pub(super) struct OpInfo {
    pub code: u8,
    pub name: &'static str,
    pub arg: ArgKind,
}

macro_rules! opcodes {
    ($($konst:ident = $code:literal, $arg:expr;)*) => {
        $(pub(super) const $konst: u8 = $code;)*
        /// Every opcode Python's pickle defines.
        const TABLE: &[OpInfo] = &[$(OpInfo { code: $code, name: stringify!($konst), arg: $arg }),*];
    };
}

use ArgKind::{Fixed, LenI32, LenU8, LenU32, LenU64, Line, Nothing, TwoLines};

opcodes! {
    MARK = b'(', Nothing;
    STOP = b'.', Nothing;
    POP = b'0', Nothing;
    POP_MARK = b'1', Nothing;
    DUP = b'2', Nothing;
    FLOAT = b'F', Line;
    INT = b'I', Line;
    BININT = b'J', Fixed(4);
    BININT1 = b'K', Fixed(1);
    LONG = b'L', Line;
    BININT2 = b'M', Fixed(2);
    NONE = b'N', Nothing;
    PERSID = b'P', Line;
    BINPERSID = b'Q', Nothing;
    REDUCE = b'R', Nothing;
    STRING = b'S', Line;
    BINSTRING = b'T', LenI32;
    SHORT_BINSTRING = b'U', LenU8;
    UNICODE = b'V', Line;
    BINUNICODE = b'X', LenU32;
    APPEND = b'a', Nothing;
    BUILD = b'b', Nothing;
    GLOBAL = b'c', TwoLines;
    DICT = b'd', Nothing;
    EMPTY_DICT = b'}', Nothing;
    APPENDS = b'e', Nothing;
    GET = b'g', Line;
    BINGET = b'h', Fixed(1);
    INST = b'i', TwoLines;
    LONG_BINGET = b'j', Fixed(4);
    LIST = b'l', Nothing;
    EMPTY_LIST = b']', Nothing;
    OBJ = b'o', Nothing;
    PUT = b'p', Line;
    BINPUT = b'q', Fixed(1);
    LONG_BINPUT = b'r', Fixed(4);
    SETITEM = b's', Nothing;
    TUPLE = b't', Nothing;
    EMPTY_TUPLE = b')', Nothing;
    SETITEMS = b'u', Nothing;
    BINFLOAT = b'G', Fixed(8);
    PROTO = 0x80, Fixed(1);
    NEWOBJ = 0x81, Nothing;
    EXT1 = 0x82, Fixed(1);
    EXT2 = 0x83, Fixed(2);
    EXT4 = 0x84, Fixed(4);
    TUPLE1 = 0x85, Nothing;
    TUPLE2 = 0x86, Nothing;
    TUPLE3 = 0x87, Nothing;
    NEWTRUE = 0x88, Nothing;
    NEWFALSE = 0x89, Nothing;
    LONG1 = 0x8a, LenU8;
    LONG4 = 0x8b, LenI32;
    BINBYTES = b'B', LenU32;
    SHORT_BINBYTES = b'C', LenU8;
    SHORT_BINUNICODE = 0x8c, LenU8;
    BINUNICODE8 = 0x8d, LenU64;
    BINBYTES8 = 0x8e, LenU64;
    EMPTY_SET = 0x8f, Nothing;
    ADDITEMS = 0x90, Nothing;
    FROZENSET = 0x91, Nothing;
    NEWOBJ_EX = 0x92, Nothing;
    STACK_GLOBAL = 0x93, Nothing;
    MEMOIZE = 0x94, Nothing;
    FRAME = 0x95, Fixed(8);
    BYTEARRAY8 = 0x96, LenU64;
    NEXT_BUFFER = 0x97, Nothing;
    READONLY_BUFFER = 0x98, Nothing;
}

/// Opcodes that push one plain value: a number, a string, bytes or an empty container.
pub(super) const PLAIN_VALUES: [u8; 27] = [
    NONE,
    NEWTRUE,
    NEWFALSE,
    INT,
    BININT,
    BININT1,
    BININT2,
    LONG,
    LONG1,
    LONG4,
    FLOAT,
    BINFLOAT,
    STRING,
    BINSTRING,
    SHORT_BINSTRING,
    UNICODE,
    BINUNICODE,
    SHORT_BINUNICODE,
    BINUNICODE8,
    BINBYTES,
    SHORT_BINBYTES,
    BINBYTES8,
    BYTEARRAY8,
    EMPTY_TUPLE,
    EMPTY_LIST,
    EMPTY_DICT,
    EMPTY_SET,
];

/// Opcodes numpy arrays never need: class instances, persistent ids, extension registry,
/// out-of-band buffers.
pub(super) const UNSUPPORTED: [u8; 11] = [
    PERSID,
    BINPERSID,
    INST,
    OBJ,
    NEWOBJ,
    NEWOBJ_EX,
    EXT1,
    EXT2,
    EXT4,
    NEXT_BUFFER,
    READONLY_BUFFER,
];

/// The description of opcode byte `code`, if it is one.
pub(super) fn info(code: u8) -> Option<OpInfo> {
    TABLE.iter().find(|op| op.code == code).copied()
}

/// One opcode as found in a stream.
#[derive(Debug, Clone, Copy)]
pub(super) struct Op<'a> {
    /// What it is.
    pub info: OpInfo,
    /// Offset of the opcode byte in the stream.
    pub start: usize,
    /// The argument bytes (without length prefix or final newline).
    pub arg: &'a [u8],
    /// The whole opcode, opcode byte and argument encoding included.
    pub raw: &'a [u8],
}

/// Why no opcode could be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ReadError {
    /// The stream ends inside the opcode at this offset.
    Truncated(usize),
    /// The byte at this offset is no opcode.
    Unknown(usize, u8),
    /// A length prefix at this offset is negative.
    NegativeLength(usize),
}

/// Reads the opcode that starts at `pos`.
pub(super) fn read_op(input: &[u8], pos: usize) -> Result<Op<'_>, ReadError> {
    let code = *input.get(pos).ok_or(ReadError::Truncated(pos))?;
    let info = info(code).ok_or(ReadError::Unknown(pos, code))?;
    let body = pos + 1;
    let (arg_start, arg_end, end) = match info.arg {
        Nothing => (body, body, body),
        Fixed(n) => (body, body + n, body + n),
        Line => line_end(input, body).map(|e| (body, e, e + 1)).ok_or(ReadError::Truncated(pos))?,
        TwoLines => line_end(input, body)
            .and_then(|e| line_end(input, e + 1))
            .map(|e| (body, e, e + 1))
            .ok_or(ReadError::Truncated(pos))?,
        LenU8 | LenU32 | LenI32 | LenU64 => sized(input, pos, info.arg)?,
    };
    if end > input.len() {
        return Err(ReadError::Truncated(pos));
    }
    Ok(Op { info, start: pos, arg: &input[arg_start..arg_end], raw: &input[pos..end] })
}

/// Offset of the first newline at or after `from`.
fn line_end(input: &[u8], from: usize) -> Option<usize> {
    input.get(from..)?.iter().position(|&b| b == b'\n').map(|i| from + i)
}

/// `(arg_start, arg_end, end)` of a length-prefixed argument for the opcode at `pos`.
fn sized(input: &[u8], pos: usize, kind: ArgKind) -> Result<(usize, usize, usize), ReadError> {
    let width = match kind {
        LenU8 => 1,
        LenU32 | LenI32 => 4,
        _ => 8,
    };
    let prefix = input.get(pos + 1..pos + 1 + width).ok_or(ReadError::Truncated(pos))?;
    let mut le = [0u8; 8];
    le[..width].copy_from_slice(prefix);
    if kind == LenI32 && prefix[3] & 0x80 != 0 {
        return Err(ReadError::NegativeLength(pos));
    }
    let len = usize::try_from(u64::from_le_bytes(le)).map_err(|_| ReadError::Truncated(pos))?;
    let arg_start = pos + 1 + width;
    let arg_end = arg_start.checked_add(len).ok_or(ReadError::Truncated(pos))?;
    Ok((arg_start, arg_end, arg_end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_opcode_byte_is_listed_once() {
        let mut codes: Vec<u8> = TABLE.iter().map(|op| op.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), TABLE.len());
        assert_eq!(TABLE.len(), 68);
    }

    #[test]
    fn arguments_are_sliced_by_their_encoding() {
        let stream = b"\x8c\x03abcK\x07cmod\nname\n";
        let op = read_op(stream, 0).unwrap();
        assert_eq!((op.info.name, op.arg, op.raw.len()), ("SHORT_BINUNICODE", &b"abc"[..], 5));
        let op = read_op(stream, 5).unwrap();
        assert_eq!((op.info.name, op.arg), ("BININT1", &b"\x07"[..]));
        let op = read_op(stream, 7).unwrap();
        assert_eq!((op.info.name, op.arg), ("GLOBAL", &b"mod\nname"[..]));
        assert_eq!(op.start + op.raw.len(), stream.len());
    }

    #[test]
    fn short_or_unknown_input_is_reported() {
        assert_eq!(read_op(b"X\x05\x00\x00\x00ab", 0).unwrap_err(), ReadError::Truncated(0));
        assert_eq!(read_op(b"cmod\nna", 0).unwrap_err(), ReadError::Truncated(0));
        assert_eq!(read_op(b"\xff", 0).unwrap_err(), ReadError::Unknown(0, 0xff));
        assert_eq!(read_op(b"T\xff\xff\xff\xff", 0).unwrap_err(), ReadError::NegativeLength(0));
    }
}
