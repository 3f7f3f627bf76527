//! Rewrites each pickle of a file into a plain-data pickle that serde-pickle can decode without
//! losing what numpy needs, and refuses every global outside [`ALLOWED_GLOBALS`] before any value
//! is built.
//!
//! Why: serde-pickle 1.2 never executes code, but it drops what we need. It replaces a global
//! by an anonymous marker (the name is lost), lets `BUILD` overwrite the object with its state
//! (so a numpy dtype loses its kind, e.g. `'f4'`, and keeps only its byte order), and its memo
//! loses track of references when a shared value holds other memoized values (a pickle of
//! `(a, a)` with `a = [x]` fails with "recursive structure"; numpy's pickles share dtypes this
//! way). So, opcode by opcode, without building any value:
//!
//! - `GLOBAL` / `STACK_GLOBAL` become the tuple `(module, name, TAG_GLOBAL)` once the name is
//!   checked against the allow-list;
//! - `REDUCE` becomes `(callable, args, TAG_REDUCE)` and `BUILD` becomes
//!   `(object, state, TAG_BUILD)`: nothing is called, both halves are kept;
//! - memo stores are dropped and each memo fetch is replaced by a copy of the opcodes that built
//!   the stored value (its "span"), so serde-pickle never needs its memo.
//!
//! Only a shadow stack of spans is kept ([`super::shadow`]: where each stack item's opcodes
//! start and end), which is what makes the copies possible; values are decoded by serde-pickle
//! alone.

use std::collections::HashMap;
use std::path::Path;

use super::opcodes::{self as op, Op, PLAIN_VALUES, ReadError, UNSUPPORTED, read_op};
use super::shadow::{ShadowStack, Slot, Span, StackResult};
use crate::error::{DataError, Result};

/// Last item of a tuple standing for a global.
pub(super) const TAG_GLOBAL: &str = "\0fmnist:global";
/// Last item of a tuple standing for a call `callable(*args)` that was not made.
pub(super) const TAG_REDUCE: &str = "\0fmnist:reduce";
/// Last item of a tuple standing for `object.__setstate__(state)`, not made either.
pub(super) const TAG_BUILD: &str = "\0fmnist:build";

/// The globals numpy arrays (numpy 1.x and 2.x, protocols 2-5) need; nothing else is accepted.
pub(super) const ALLOWED_GLOBALS: [(&str, &str); 9] = [
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("_codecs", "encode"),
];

/// The pickles of `input` (one after another until its end), each rewritten.
pub(super) fn rewrite_all(input: &[u8], path: &Path) -> Result<Vec<Vec<u8>>> {
    let mut pickles = Vec::new();
    let mut pos = 0;
    while pos < input.len() || pickles.is_empty() {
        if !pickles.is_empty() && input[pos] != op::PROTO {
            let (path, extra, count) = (path.to_owned(), input.len() - pos, pickles.len());
            return Err(DataError::PickleTrailing { path, offset: pos, extra, count });
        }
        let (bytes, end) = Rewriter::new(input, pos, path).run()?;
        pickles.push(bytes);
        pos = end;
    }
    Ok(pickles)
}

/// Rewrites one pickle, starting at `pos` in `input`.
struct Rewriter<'a> {
    input: &'a [u8],
    pos: usize,
    path: &'a Path,
    out: Vec<u8>,
    stack: ShadowStack,
    memo: HashMap<u32, Span>,
    /// The output may not grow past this (memo copies could otherwise blow it up).
    limit: usize,
}

impl<'a> Rewriter<'a> {
    fn new(input: &'a [u8], pos: usize, path: &'a Path) -> Self {
        let limit = 2 * input.len() + (64 << 20);
        let (stack, memo) = (ShadowStack::default(), HashMap::new());
        Rewriter { input, pos, path, out: Vec::new(), stack, memo, limit }
    }

    /// Rewrites up to and including `STOP`; returns the new pickle and the offset after it.
    fn run(mut self) -> Result<(Vec<u8>, usize)> {
        self.expect_protocol()?;
        loop {
            let op = read_op(self.input, self.pos).map_err(|e| self.read_error(e))?;
            self.pos += op.raw.len();
            if op.info.code == op::STOP {
                return self.finish(op.start);
            }
            self.step(&op).map_err(|detail| malformed(self.path, op.start, detail))?;
            if self.out.len() > self.limit {
                return Err(self.fail(op.start, "memo references expand the pickle beyond reason"));
            }
        }
    }

    /// A pickle of protocol 2 or later starts with `PROTO n`.
    fn expect_protocol(&mut self) -> Result<()> {
        let start = self.pos;
        match (self.input.get(start), self.input.get(start + 1)) {
            (Some(&op::PROTO), Some(version)) if (2..=5).contains(version) => {
                self.pos += 2;
                Ok(())
            }
            (Some(&op::PROTO), Some(version)) => {
                Err(self.fail(start, format!("pickle protocol {version}, expected 2 to 5")))
            }
            (Some(&op::PROTO), None) => Err(self.truncated(start)),
            _ => Err(self.fail(start, "not a pickle of protocol 2 to 5 (no PROTO opcode)")),
        }
    }

    /// Checks the stack at `STOP` and closes the output.
    fn finish(mut self, at: usize) -> Result<(Vec<u8>, usize)> {
        let (items, marks) = self.stack.depth();
        if (items, marks) != (1, 0) {
            let found = format!("{items} items and {marks} marks");
            return Err(self.fail(at, format!("STOP with {found} on the stack, expected 1 item")));
        }
        self.out.push(op::STOP);
        Ok((self.out, self.pos))
    }

    /// Handles one opcode other than `STOP`; an error is a malformed-pickle detail.
    fn step(&mut self, op: &Op<'_>) -> Result<(), Step> {
        match op.info.code {
            op::PROTO | op::FRAME => {}
            op::MARK => {
                self.stack.mark(self.out.len());
                self.write(op);
            }
            op::POP => {
                self.stack.pop_or_pop_mark()?;
                self.write(op);
            }
            op::POP_MARK => {
                self.stack.pop_mark()?;
                self.write(op);
            }
            op::DUP => {
                let span = self.stack.top()?.span.clone();
                self.copy_span(&span);
            }
            op::TUPLE1 | op::TUPLE2 | op::TUPLE3 => {
                let items = self.stack.pop_n(usize::from(op.info.code - op::TUPLE1 + 1))?;
                self.write(op);
                self.push(items[0].span.start, None);
            }
            op::TUPLE | op::LIST | op::DICT | op::FROZENSET => {
                let mark_pos = self.stack.pop_mark()?;
                self.write(op);
                self.push(mark_pos, None);
            }
            op::APPEND | op::SETITEM => {
                self.stack.pop_n(if op.info.code == op::APPEND { 1 } else { 2 })?;
                self.write(op);
                self.extend_top()?;
            }
            op::APPENDS | op::SETITEMS | op::ADDITEMS => {
                self.stack.pop_mark()?;
                self.write(op);
                self.extend_top()?;
            }
            op::PUT | op::BINPUT | op::LONG_BINPUT | op::MEMOIZE => self.memo_put(op)?,
            op::GET | op::BINGET | op::LONG_BINGET => self.memo_get(op)?,
            op::GLOBAL => self.global(op)?,
            op::STACK_GLOBAL => self.stack_global(op.start)?,
            op::REDUCE => self.tagged(TAG_REDUCE)?,
            op::BUILD => self.tagged(TAG_BUILD)?,
            code if PLAIN_VALUES.contains(&code) => self.push_value(op),
            code if UNSUPPORTED.contains(&code) => {
                let name = op.info.name;
                return Err(
                    format!("opcode {name} is not supported (numpy arrays do not use it)").into()
                );
            }
            _ => return Err(format!("opcode {} is not handled", op.info.name).into()),
        }
        Ok(())
    }

    /// Copies `op` as it is to the output.
    fn write(&mut self, op: &Op<'_>) {
        self.out.extend_from_slice(op.raw);
    }

    /// Any opcode that pushes one plain value (number, string, bytes, empty container).
    fn push_value(&mut self, op: &Op<'_>) {
        let start = self.out.len();
        self.write(op);
        let text = match op.info.code {
            op::SHORT_BINUNICODE | op::BINUNICODE | op::BINUNICODE8 if op.arg.len() <= 256 => {
                String::from_utf8(op.arg.to_vec()).ok()
            }
            _ => None,
        };
        self.push(start, text);
    }

    /// Pushes an item whose opcodes start at `start` and end at the current output end.
    fn push(&mut self, start: usize, text: Option<String>) {
        self.stack.push(Span { start, end: self.out.len(), text });
    }

    /// The top item was changed in place: its span (and its memo copies) now end here.
    fn extend_top(&mut self) -> StackResult<()> {
        let end = self.out.len();
        let top = self.stack.top_mut()?;
        top.span = Span { start: top.span.start, end, text: None };
        for id in &top.memo_ids {
            if let Some(span) = self.memo.get_mut(id) {
                *span = Span { start: span.start, end, text: None };
            }
        }
        Ok(())
    }

    /// Stores the top item under a memo id (nothing is written to the output).
    fn memo_put(&mut self, op: &Op<'_>) -> Result<(), Step> {
        let id = match op.info.code {
            op::MEMOIZE => u32::try_from(self.memo.len()).ok(),
            _ => memo_id(op),
        };
        let id = id.ok_or("invalid memo id")?;
        let top = self.stack.top_mut()?;
        top.memo_ids.push(id);
        self.memo.insert(id, top.span.clone());
        Ok(())
    }

    /// Fetches a memo item: writes a copy of the opcodes that built it.
    fn memo_get(&mut self, op: &Op<'_>) -> Result<(), Step> {
        let span = memo_id(op).and_then(|id| self.memo.get(&id)).cloned();
        self.copy_span(&span.ok_or("memo id was never stored")?);
        Ok(())
    }

    /// Appends a copy of `span`'s opcodes and pushes the copy.
    fn copy_span(&mut self, span: &Span) {
        let start = self.out.len();
        self.out.extend_from_within(span.start..span.end);
        self.push(start, span.text.clone());
    }

    /// `GLOBAL module\nname\n`.
    fn global(&mut self, op: &Op<'_>) -> Result<(), Step> {
        let text = String::from_utf8_lossy(op.arg);
        let (module, name) = text.split_once('\n').unwrap_or((&text, ""));
        let start = self.out.len();
        self.write_global(op.start, module, name)?;
        self.push(start, None);
        Ok(())
    }

    /// `STACK_GLOBAL`: module and name are the two strings on top of the stack.
    fn stack_global(&mut self, at: usize) -> Result<(), Step> {
        let items = self.stack.pop_n(2)?;
        let (Some(module), Some(name)) = (&items[0].span.text, &items[1].span.text) else {
            return Err("STACK_GLOBAL needs two strings on the stack".into());
        };
        self.out.extend_from_slice(&[op::POP, op::POP]);
        self.write_global(at, module, name)?;
        self.push(items[0].span.start, None);
        Ok(())
    }

    /// Refuses a global outside the allow-list, else writes `(module, name, TAG_GLOBAL)`.
    fn write_global(&mut self, at: usize, module: &str, name: &str) -> Result<(), Step> {
        if !ALLOWED_GLOBALS.contains(&(module, name)) {
            let global = format!("{module}.{name}");
            let path = self.path.to_owned();
            return Err(Step::Refused(DataError::PickleGlobal { path, offset: at, global }));
        }
        for text in [module, name, TAG_GLOBAL] {
            write_str(&mut self.out, text);
        }
        self.out.push(op::TUPLE3);
        Ok(())
    }

    /// `REDUCE`, `BUILD`: the two top items and `tag` become one tuple. After `BUILD` the
    /// object's memo copies must include its state (Python sets it on the stored object).
    fn tagged(&mut self, tag: &str) -> StackResult<()> {
        let mut items = self.stack.pop_n(2)?;
        write_str(&mut self.out, tag);
        self.out.push(op::TUPLE3);
        let first = items.swap_remove(0);
        let memo_ids = if tag == TAG_BUILD { first.memo_ids } else { Vec::new() };
        let span = Span { start: first.span.start, end: self.out.len(), text: None };
        self.stack.push_slot(Slot { span, memo_ids });
        self.extend_top()
    }

    fn read_error(&self, error: ReadError) -> DataError {
        match error {
            ReadError::Truncated(at) => self.truncated(at),
            ReadError::Unknown(at, code) => self.fail(at, format!("unknown opcode 0x{code:02x}")),
            ReadError::NegativeLength(at) => self.fail(at, "negative length prefix"),
        }
    }

    fn truncated(&self, at: usize) -> DataError {
        DataError::PickleTruncated { path: self.path.to_owned(), offset: at, len: self.input.len() }
    }

    fn fail(&self, at: usize, detail: impl Into<String>) -> DataError {
        malformed(self.path, at, Step::Malformed(detail.into()))
    }
}

/// Why one opcode could not be rewritten: a malformed stream, or a refused global.
enum Step {
    Malformed(String),
    Refused(DataError),
}

impl From<&'static str> for Step {
    fn from(detail: &'static str) -> Self {
        Step::Malformed(detail.to_owned())
    }
}

impl From<String> for Step {
    fn from(detail: String) -> Self {
        Step::Malformed(detail)
    }
}

/// The id argument of a memo opcode.
fn memo_id(op: &Op<'_>) -> Option<u32> {
    match op.info.code {
        op::BINPUT | op::BINGET => op.arg.first().map(|&id| u32::from(id)),
        op::LONG_BINPUT | op::LONG_BINGET => op.arg.try_into().ok().map(u32::from_le_bytes),
        _ => std::str::from_utf8(op.arg).ok()?.trim().parse().ok(),
    }
}

/// The error for `step`'s failure at byte `offset` of `path`.
fn malformed(path: &Path, offset: usize, step: impl Into<Step>) -> DataError {
    match step.into() {
        Step::Malformed(detail) => {
            DataError::PickleMalformed { path: path.to_owned(), offset, detail }
        }
        Step::Refused(err) => err,
    }
}

/// Writes a `BINUNICODE` opcode for `text`.
fn write_str(out: &mut Vec<u8>, text: &str) {
    out.push(op::BINUNICODE);
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}
