//! Numpy arrays (and nested lists of integers) read out of the rewritten pickle values: which
//! dtype, shape, order and raw bytes, interpreted here rather than by numpy.
//!
//! numpy writes an array in one of two ways:
//!
//! - `_reconstruct(ndarray, (0,), b'b')` then `BUILD` with the state
//!   `(version, shape, dtype, is_fortran, raw bytes)` (protocols 2-4, and 5 for arrays that
//!   are not contiguous); protocol 2 wraps the bytes as `_codecs.encode(text, 'latin1')`;
//! - `_frombuffer(buffer, dtype, shape, order)` (protocol 5).
//!
//! A dtype is `dtype(code, align, copy)` (code such as `'u1'`, `'f4'`) then `BUILD` with a
//! state whose second item is the byte order (`'<'`, `'>'`, `'|'`).

use std::borrow::Cow;

use serde_pickle::Value;

use super::rewrite::{ALLOWED_GLOBALS, TAG_BUILD, TAG_GLOBAL, TAG_REDUCE};

/// What is wrong with an item, in words, e.g. `has dtype complex64, expected ...`.
pub(super) type Detail = String;

/// The element types we read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Int,
    UInt,
    Float,
}

/// A numeric numpy dtype.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct DType {
    pub kind: Kind,
    /// Bytes per element.
    pub size: usize,
    pub big_endian: bool,
}

impl DType {
    /// numpy's name, e.g. `float32`, with `(big-endian)` when it is.
    pub(super) fn name(&self) -> String {
        let kind = match self.kind {
            Kind::Int => "int",
            Kind::UInt => "uint",
            Kind::Float => "float",
        };
        let order = if self.big_endian && self.size > 1 { " (big-endian)" } else { "" };
        format!("{kind}{}{order}", self.size * 8)
    }
}

/// The elements of an array.
pub(super) enum Elements<'a> {
    /// numpy's raw buffer.
    Raw { dtype: DType, fortran: bool, bytes: Cow<'a, [u8]> },
    /// Python integers from nested lists, in row-major order.
    Ints(Vec<i64>),
}

/// An array: shape and elements.
pub(super) struct Array<'a> {
    pub shape: Vec<usize>,
    pub elements: Elements<'a>,
}

/// Reads a numpy array, a numpy scalar or a nested list of integers.
pub(super) fn array(value: &Value) -> Result<Array<'_>, Detail> {
    if let Some((object, state)) = tagged(value, TAG_BUILD) {
        return match call(object, "_reconstruct") {
            Some([class, ..]) if global(class) == Some(("numpy", "ndarray")) => {
                reconstructed(state)
            }
            _ => Err(format!("is {}, expected a numpy array", describe(value))),
        };
    }
    if let Some(args) = call(value, "_frombuffer") {
        return from_buffer(args);
    }
    if let Some(args) = call(value, "scalar") {
        return scalar(args);
    }
    match value {
        Value::List(_) | Value::Tuple(_) => nested_ints(value),
        other => Err(format!("is {}, expected a numpy array or a nested list", describe(other))),
    }
}

/// The state `(version, shape, dtype, is_fortran, raw)` (or without `version`).
fn reconstructed(state: &Value) -> Result<Array<'_>, Detail> {
    let (shape, dtype, fortran, raw) = match items(state) {
        Some([_, shape, dtype, fortran, raw]) | Some([shape, dtype, fortran, raw]) => {
            (shape, dtype, fortran, raw)
        }
        _ => return Err(format!("has an array state that is {}", describe(state))),
    };
    let dtype = dtype_of(dtype)?;
    let fortran = match fortran {
        Value::Bool(flag) => *flag,
        Value::I64(flag) => *flag != 0,
        other => return Err(format!("has an order flag that is {}", describe(other))),
    };
    raw_array(shape_of(shape)?, dtype, fortran, raw_bytes(raw)?)
}

/// The arguments `(buffer, dtype, shape, order)` of `_frombuffer`.
fn from_buffer(args: &[Value]) -> Result<Array<'_>, Detail> {
    let [buffer, dtype, shape, order] = args else {
        return Err(format!("calls _frombuffer with {} arguments, expected 4", args.len()));
    };
    let dtype = dtype_of(dtype)?;
    let fortran = match text(order).as_deref() {
        Some("C") => false,
        Some("F") => true,
        _ => return Err(format!("has order {}, expected 'C' or 'F'", describe(order))),
    };
    raw_array(shape_of(shape)?, dtype, fortran, raw_bytes(buffer)?)
}

/// The arguments `(dtype, raw)` of a numpy scalar: a 0-dimensional array.
fn scalar(args: &[Value]) -> Result<Array<'_>, Detail> {
    let [dtype, raw] = args else {
        return Err(format!("calls scalar with {} arguments, expected 2", args.len()));
    };
    raw_array(Vec::new(), dtype_of(dtype)?, false, raw_bytes(raw)?)
}

/// Checks that `bytes` holds exactly the elements `shape` and `dtype` describe.
fn raw_array(
    shape: Vec<usize>,
    dtype: DType,
    fortran: bool,
    bytes: Cow<'_, [u8]>,
) -> Result<Array<'_>, Detail> {
    let expected = shape.iter().try_fold(dtype.size, |acc, &d| acc.checked_mul(d));
    if expected != Some(bytes.len()) {
        let name = dtype.name();
        return Err(format!(
            "holds {} data bytes, expected {expected:?} for shape {shape:?} of {name}",
            bytes.len()
        ));
    }
    Ok(Array { shape, elements: Elements::Raw { dtype, fortran, bytes } })
}

/// `dtype(code, align, copy)`, usually followed by `BUILD` with the byte order.
fn dtype_of(value: &Value) -> Result<DType, Detail> {
    let (constructor, state) = match tagged(value, TAG_BUILD) {
        Some((constructor, state)) => (constructor, items(state)),
        None => (value, None),
    };
    let code = call(constructor, "dtype").and_then(|args| args.first()).and_then(text);
    let Some(code) = code else {
        return Err(format!("has a dtype that is {}", describe(value)));
    };
    if let Some([_, _, subarray, names, ..]) = state
        && (*subarray != Value::None || *names != Value::None)
    {
        return Err(format!("has the structured dtype {code}, expected plain numbers"));
    }
    let order = state.and_then(|s| s.get(1)).and_then(text);
    parse_dtype(&code, order.as_deref().unwrap_or("|"))
}

/// A dtype code such as `u1`, `<i8` or `f4`, with the byte order from the dtype's state.
fn parse_dtype(code: &str, order: &str) -> Result<DType, Detail> {
    let (order, rest) = match code.strip_prefix(['<', '>', '|', '=']) {
        Some(rest) => (&code[..1], rest),
        None => (order, code),
    };
    let (kind, size) = rest.split_at(rest.chars().next().map_or(0, char::len_utf8));
    let size: usize = size.parse().unwrap_or(0);
    let kind = match (kind, size) {
        ("O", _) => return Err("is an object array (dtype object), expected numbers".to_owned()),
        ("i", 1 | 2 | 4 | 8) => Kind::Int,
        ("u", 1 | 2 | 4 | 8) => Kind::UInt,
        ("f", 4 | 8) => Kind::Float,
        _ => {
            let expected = "an integer dtype, float32 or float64";
            return Err(format!("has dtype {code}, expected {expected}"));
        }
    };
    // FIXME: '=' (the writer's native order) never appears in the pickles numpy writes, which
    // spell out '<' or '>'; a hand-made pickle using it is read as little-endian, unchecked.
    Ok(DType { kind, size, big_endian: order == ">" })
}

/// A shape tuple of non-negative integers.
fn shape_of(value: &Value) -> Result<Vec<usize>, Detail> {
    let dims = items(value).map(|dims| {
        dims.iter()
            .map(|d| match d {
                Value::I64(n) => usize::try_from(*n).ok(),
                _ => None,
            })
            .collect::<Option<Vec<usize>>>()
    });
    dims.flatten().ok_or_else(|| format!("has a shape that is {}", describe(value)))
}

/// The raw data: bytes, or (protocol 2) `_codecs.encode(text, 'latin1')`.
fn raw_bytes(value: &Value) -> Result<Cow<'_, [u8]>, Detail> {
    match value {
        Value::Bytes(bytes) => Ok(Cow::Borrowed(bytes)),
        Value::List(_) => {
            Err("holds Python objects (an object array), expected numbers".to_owned())
        }
        _ => match call(value, "encode") {
            Some([Value::String(text), Value::String(encoding)]) if is_latin1(encoding) => {
                latin1(text).map(Cow::Owned)
            }
            _ => Err(format!("has raw data that is {}", describe(value))),
        },
    }
}

fn is_latin1(encoding: &str) -> bool {
    matches!(encoding.to_ascii_lowercase().as_str(), "latin1" | "latin-1" | "iso-8859-1")
}

/// Text whose characters are bytes (as Python's latin-1 codec writes them).
fn latin1(text: &str) -> Result<Vec<u8>, Detail> {
    text.chars()
        .map(|c| u8::try_from(c).map_err(|_| format!("has latin-1 data with the character {c:?}")))
        .collect()
}

/// A nested list (or tuple) of integers, rectangular; leaves may be numpy integer scalars.
///
/// FIXME: serde-pickle builds one `Value` per number, so a nested-list pickle of the full
/// dataset (55 million numbers) needs several GB of memory; numpy arrays do not have this cost.
fn nested_ints(value: &Value) -> Result<Array<'_>, Detail> {
    let mut shape = Vec::new();
    let mut probe = value;
    while let Some(children) = list_items(probe) {
        shape.push(children.len());
        match children.first() {
            Some(first) => probe = first,
            None => break,
        }
    }
    let mut ints = Vec::with_capacity(shape.iter().product());
    flatten(value, &shape, &mut ints)?;
    Ok(Array { shape, elements: Elements::Ints(ints) })
}

/// Appends the leaves of `value` (at the depth `shape` says) to `ints`.
fn flatten(value: &Value, shape: &[usize], ints: &mut Vec<i64>) -> Result<(), Detail> {
    let Some((&len, inner)) = shape.split_first() else {
        return leaf_int(value).map(|i| ints.push(i));
    };
    match list_items(value) {
        Some(children) if children.len() == len => {
            children.iter().try_for_each(|child| flatten(child, inner, ints))
        }
        _ => Err(format!(
            "is a ragged nested list: found {} where a list of {len} was expected",
            describe(value)
        )),
    }
}

/// An integer leaf of a nested list.
fn leaf_int(value: &Value) -> Result<i64, Detail> {
    if let Value::I64(i) = value {
        return Ok(*i);
    }
    let scalar_int = call(value, "scalar").and_then(|args| scalar(args).ok()).and_then(|array| {
        match (&array.elements, array.shape.is_empty()) {
            (Elements::Raw { dtype, bytes, .. }, true) if dtype.kind != Kind::Float => {
                super::convert::raw_int(bytes, dtype, 0).and_then(|i| i64::try_from(i).ok())
            }
            _ => None,
        }
    });
    scalar_int
        .ok_or_else(|| format!("holds {} in a nested list, expected integers", describe(value)))
}

fn list_items(value: &Value) -> Option<&[Value]> {
    match value {
        Value::List(items) | Value::Tuple(items) if tagged_any(value).is_none() => Some(items),
        _ => None,
    }
}

/// The items of a tuple or list.
fn items(value: &Value) -> Option<&[Value]> {
    match value {
        Value::List(items) | Value::Tuple(items) => Some(items),
        _ => None,
    }
}

/// Text from a string, or from bytes (Python 2 `str`).
///
/// FIXME: pickles written by Python 2 (dtype codes and raw data as byte strings) take this
/// path, but no test covers them: there is no Python 2 here to write fixtures with.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Bytes(b) => String::from_utf8(b.clone()).ok(),
        _ => None,
    }
}

/// `(a, b)` when `value` is the rewriter's tuple `(a, b, tag)`.
fn tagged<'v>(value: &'v Value, tag: &str) -> Option<(&'v Value, &'v Value)> {
    match value {
        Value::Tuple(items) => match items.as_slice() {
            [a, b, Value::String(t)] if t == tag => Some((a, b)),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `value` is any of the rewriter's tagged tuples.
fn tagged_any(value: &Value) -> Option<(&Value, &Value)> {
    [TAG_GLOBAL, TAG_REDUCE, TAG_BUILD].iter().find_map(|tag| tagged(value, tag))
}

/// `(module, name)` of an allowed global.
fn global(value: &Value) -> Option<(&str, &str)> {
    match tagged(value, TAG_GLOBAL)? {
        (Value::String(module), Value::String(name)) => ALLOWED_GLOBALS
            .iter()
            .find(|allowed| **allowed == (module.as_str(), name.as_str()))
            .copied(),
        _ => None,
    }
}

/// The arguments of a call to the allowed global called `name`.
fn call<'v>(value: &'v Value, name: &str) -> Option<&'v [Value]> {
    let (callable, args) = tagged(value, TAG_REDUCE)?;
    match (global(callable), args) {
        (Some((_, called)), Value::Tuple(args)) if called == name => Some(args),
        _ => None,
    }
}

/// A short description of a value for error messages.
pub(super) fn describe(value: &Value) -> String {
    if tagged(value, TAG_BUILD).is_some() || tagged(value, TAG_REDUCE).is_some() {
        return match array(value) {
            Ok(array) => format!("a numpy array of shape {:?}", array.shape),
            Err(_) => "a Python object other than a numpy array".to_owned(),
        };
    }
    match value {
        Value::None => "None".to_owned(),
        Value::Bool(b) => format!("the bool {b}"),
        Value::I64(i) => format!("the int {i}"),
        Value::Int(i) => format!("the int {i}"),
        Value::F64(f) => format!("the float {f}"),
        Value::Bytes(b) => format!("bytes of length {}", b.len()),
        Value::String(s) if s.len() <= 40 => format!("the string {s:?}"),
        Value::String(s) => format!("a string of length {}", s.len()),
        Value::List(items) => format!("a list of {} items", items.len()),
        Value::Tuple(items) => format!("a tuple of {} items", items.len()),
        Value::Set(_) | Value::FrozenSet(_) => "a set".to_owned(),
        Value::Dict(_) => "a dict".to_owned(),
    }
}
