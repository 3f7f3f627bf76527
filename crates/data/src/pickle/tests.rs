//! The rewriter and serde-pickle together, on small hand-checked streams (the Python source
//! of each stream is given above it; bytes as `pickle.dumps` wrote them).

use std::path::Path;

use serde_pickle::{DeOptions, Value};

use super::rewrite::{TAG_BUILD, TAG_GLOBAL, TAG_REDUCE, rewrite_all};
use crate::error::DataError;

/// Rewrites `stream` and decodes its single pickle.
fn decode(stream: &[u8]) -> Result<Value, DataError> {
    let pickles = rewrite_all(stream, Path::new("t.pkl"))?;
    assert_eq!(pickles.len(), 1);
    Ok(serde_pickle::value_from_slice(&pickles[0], DeOptions::new()).unwrap())
}

fn string(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn tuple(items: Vec<Value>) -> Value {
    Value::Tuple(items)
}

#[test]
fn shared_list_holding_a_memoized_string_decodes() {
    // x = 'hello'; a = [x]; pickle.dumps((a, a), 2). serde-pickle alone fails on this one
    // ("recursive structure") because its memo counts references per stream, not per copy.
    let stream = b"\x80\x02]q\x00X\x05\x00\x00\x00helloq\x01ah\x00\x86q\x02.";
    assert!(serde_pickle::value_from_slice(stream, DeOptions::new()).is_err());
    let list = Value::List(vec![string("hello")]);
    assert_eq!(decode(stream).unwrap(), tuple(vec![list.clone(), list]));
}

#[test]
fn memo_copy_of_a_built_object_keeps_its_state() {
    // d = numpy.dtype('>f4'); pickle.dumps((d, d), 2): the second d is a memo fetch of the
    // object stored before BUILD set its state (the byte order '>').
    let stream = b"\x80\x02cnumpy\ndtype\nq\x00X\x02\x00\x00\x00f4q\x01\x89\x88\x87q\x02Rq\x03\
        (K\x03X\x01\x00\x00\x00>q\x04NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tq\x05bh\x03\x86q\x06.";
    let global = tuple(vec![string("numpy"), string("dtype"), string(TAG_GLOBAL)]);
    let args = tuple(vec![string("f4"), Value::Bool(false), Value::Bool(true)]);
    let reduce = tuple(vec![global, args, string(TAG_REDUCE)]);
    let minus_one = Value::I64(-1);
    let state = vec![Value::I64(3), string(">"), Value::None, Value::None, Value::None];
    let state = tuple([state, vec![minus_one.clone(), minus_one, Value::I64(0)]].concat());
    let built = tuple(vec![reduce, state, string(TAG_BUILD)]);
    assert_eq!(decode(stream).unwrap(), tuple(vec![built.clone(), built]));
}

#[test]
fn protocol_4_stack_global_from_memoized_strings_is_resolved() {
    // The same dtype pair with protocol 4: STACK_GLOBAL, MEMOIZE and FRAME.
    let stream = b"\x80\x04\x95;\x00\x00\x00\x00\x00\x00\x00\x8c\x05numpy\x94\x8c\x05dtype\x94\
        \x93\x94\x8c\x02f4\x94\x89\x88\x87\x94R\x94(K\x03\x8c\x01>\x94NNNJ\xff\xff\xff\xffJ\xff\
        \xff\xff\xffK\x00t\x94bh\x05\x86\x94.";
    let protocol_2 = b"\x80\x02cnumpy\ndtype\nq\x00X\x02\x00\x00\x00f4q\x01\x89\x88\x87q\x02Rq\x03\
        (K\x03X\x01\x00\x00\x00>q\x04NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tq\x05bh\x03\x86q\x06.";
    assert_eq!(decode(stream).unwrap(), decode(protocol_2).unwrap());
}

#[test]
fn global_outside_the_allow_list_is_refused_at_its_opcode() {
    // pickle.dumps of an object whose __reduce__ returns (os.system, ('ls',)), protocol 2.
    let stream = b"\x80\x02cos\nsystem\nq\x00X\x02\x00\x00\x00lsq\x01\x85q\x02Rq\x03.";
    let err = decode(stream).unwrap_err();
    assert!(
        matches!(&err, DataError::PickleGlobal { global, offset: 2, .. } if global == "os.system"),
        "{err}"
    );
}

#[test]
fn stack_global_needs_two_strings() {
    let stream = b"\x80\x04K\x01K\x02\x93.";
    let err = decode(stream).unwrap_err().to_string();
    assert_eq!(
        err,
        "t.pkl is not a readable pickle at byte 6: STACK_GLOBAL needs two strings on the stack"
    );
}

#[test]
fn class_instance_opcodes_are_refused_by_name() {
    let stream = b"\x80\x02)}\x81.";
    let err = decode(stream).unwrap_err().to_string();
    assert_eq!(
        err,
        "t.pkl is not a readable pickle at byte 4: opcode NEWOBJ is not supported (numpy arrays \
         do not use it)"
    );
}

#[test]
fn pop_pop_mark_and_dup_follow_python() {
    // MARK 1 2 POP_MARK 5 DUP TUPLE2 -> (5, 5); a POP with nothing above a MARK drops the mark.
    assert_eq!(
        decode(b"\x80\x02(K\x01K\x021K\x052\x86.").unwrap(),
        tuple(vec![Value::I64(5), Value::I64(5)])
    );
    assert_eq!(decode(b"\x80\x02(0K\x07.").unwrap(), Value::I64(7));
}

#[test]
fn memo_copies_that_explode_are_stopped() {
    // l = []; then 40 times: l = [l, l] through memo fetches; 2^40 copies if not stopped.
    let mut stream = b"\x80\x02]q\x00".to_vec();
    for _ in 0..40 {
        stream.extend_from_slice(b"(h\x00h\x00lq\x00");
    }
    stream.push(b'.');
    let err = decode(&stream).unwrap_err().to_string();
    assert!(err.ends_with("memo references expand the pickle beyond reason"), "{err}");
}

#[test]
fn stop_with_extra_items_is_malformed() {
    let err = decode(b"\x80\x02K\x01K\x02.").unwrap_err().to_string();
    assert!(err.ends_with("STOP with 2 items and 0 marks on the stack, expected 1 item"), "{err}");
}

#[test]
fn unsupported_protocol_is_named() {
    let err = decode(b"\x80\x06K\x01.").unwrap_err().to_string();
    assert!(err.ends_with("pickle protocol 6, expected 2 to 5"), "{err}");
}
