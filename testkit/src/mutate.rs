//! Mutations of valid files for fuzz proptests: byte edits, and edits of a JSON tree that
//! delete, repeat, rename or replace nodes with values that break length, count and id fields.
//! A [`proptest::sample::Index`] picks the position of each edit, so one strategy fits every
//! file size.

use proptest::sample::Index;
use serde_json::Value;

/// Cases per fuzz proptest: `KILN_FUZZ_CASES`, else 256 (CI). Run
/// `KILN_FUZZ_CASES=10000 cargo test --release` for a long run.
pub fn fuzz_cases() -> u32 {
    std::env::var("KILN_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256)
}

/// Applies byte edits `(where, op, byte)`: by `op % 4`, overwrite the byte at `where`, insert
/// `byte` before it, remove it, or truncate the file there. An empty file gains `byte`.
pub fn mutate_bytes(mut bytes: Vec<u8>, edits: &[(Index, u8, u8)]) -> Vec<u8> {
    for (at, op, byte) in edits {
        if bytes.is_empty() {
            bytes.push(*byte);
            continue;
        }
        let i = at.index(bytes.len());
        match op % 4 {
            0 => bytes[i] = *byte,
            1 => bytes.insert(i, *byte),
            2 => {
                bytes.remove(i);
            }
            _ => bytes.truncate(i),
        }
    }
    bytes
}

/// The `k`-th (cyclically) of 18 JSON values that break parsers which trust a file: zero and
/// small counts, `u32::MAX` and neighbours, 2⁴⁰, `u64::MAX`, a quarter of the address space,
/// a negative, a fraction, 1e308, `null`, a bool, and an empty array and object.
pub fn hostile_value(k: usize) -> Value {
    match k % 18 {
        0 => Value::from(0),
        1 => Value::from(1),
        2 => Value::from(2),
        3 => Value::from(3),
        4 => Value::from(-1),
        5 => Value::from(u64::from(u32::MAX)),
        6 => Value::from(u64::from(u32::MAX) - 1),
        7 => Value::from(1u64 << 20),
        8 => Value::from(1u64 << 40),
        9 => Value::from(u64::MAX),
        10 => Value::from(usize::MAX / 4 + 1),
        11 => Value::from(1e308),
        12 => Value::from(-0.5),
        13 => Value::from(1.5),
        14 => Value::Null,
        15 => Value::Bool(true),
        16 => Value::Array(vec![]),
        _ => Value::Object(Default::default()),
    }
}

/// Every path (object keys as strings, array indices as numbers) in `v`, parents first; the
/// empty path is the root.
pub fn json_paths(v: &Value) -> Vec<Vec<Value>> {
    fn walk(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
        out.push(prefix.clone());
        match v {
            Value::Object(m) => {
                for (k, c) in m {
                    prefix.push(Value::from(k.as_str()));
                    walk(c, prefix, out);
                    prefix.pop();
                }
            }
            Value::Array(a) => {
                for (i, c) in a.iter().enumerate() {
                    prefix.push(Value::from(i));
                    walk(c, prefix, out);
                    prefix.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// The node at `path` (see [`json_paths`]), if there is one.
pub fn json_node_mut<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    let mut cur = v;
    for p in path {
        cur = match p {
            Value::String(k) => cur.get_mut(k.as_str())?,
            Value::Number(i) => cur.get_mut(usize::try_from(i.as_u64()?).ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// One edit of the node `where` picks among [`json_paths`]: by `what % 5`, delete it from
/// its object or array, repeat it in its array, move it to the key `renames[what / 5]`
/// (cyclically; possibly onto another entry), or replace it with `values(what / 5)`. With
/// no `renames`, the rename edit replaces too.
pub fn mutate_json(
    v: &mut Value,
    where_: &Index,
    what: usize,
    values: impl Fn(usize) -> Value,
    renames: &[&str],
) {
    let all = json_paths(v);
    let path = &all[where_.index(all.len())];
    let index = |i: &Value| i.as_u64().and_then(|i| usize::try_from(i).ok());
    match (what % 5, path.split_last()) {
        (0, Some((last, parent))) => match (json_node_mut(v, parent), last) {
            (Some(Value::Object(m)), Value::String(k)) => {
                m.remove(k);
            }
            (Some(Value::Array(a)), i) => {
                if let Some(i) = index(i).filter(|&i| i < a.len()) {
                    a.remove(i);
                }
            }
            _ => {}
        },
        (1, Some((last, parent))) => {
            if let (Some(Value::Array(a)), Some(i)) = (json_node_mut(v, parent), index(last))
                && i < a.len()
            {
                let copy = a[i].clone();
                a.insert(i, copy);
            }
        }
        (2, Some((Value::String(k), parent))) if !renames.is_empty() => {
            if let Some(Value::Object(m)) = json_node_mut(v, parent)
                && let Some(x) = m.remove(k)
            {
                m.insert(renames[what / 5 % renames.len()].to_string(), x);
            }
        }
        _ => {
            if let Some(node) = json_node_mut(v, path) {
                *node = values(what / 5);
            }
        }
    }
}
