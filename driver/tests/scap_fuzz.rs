//! Deterministic mutations of the real traces (bit flips, truncations,
//! corrupted length fields) through the fuzz body: the reader must never
//! panic, and every failure must be an error naming an offset inside the
//! input.

mod scap_common;

use std::io::Read;

use falcon_driver::scap::ScapError;
use falcon_driver::scap::fuzzing::{Outcome, read_everything};
use scap_common::traces;

/// xorshift64*: deterministic, seeded per trace.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Offsets of every block (walking the valid file).
fn blocks(d: &[u8]) -> Vec<(usize, u32)> {
    let mut v = Vec::new();
    let mut o = 0;
    while o + 8 <= d.len() {
        let bt = u32::from_le_bytes(d[o..o + 4].try_into().unwrap());
        let len = u32::from_le_bytes(d[o + 4..o + 8].try_into().unwrap()) as usize;
        v.push((o, bt));
        if len < 12 {
            break;
        }
        o += len;
    }
    v
}

const EDGE: [u32; 9] = [0, 1, 11, 12, 13, 0xFFFF, 0x1_0000, 0x7FFF_FFFF, u32::MAX];

fn mutate(rng: &mut Rng, d: &[u8], blocks: &[(usize, u32)]) -> (String, Vec<u8>) {
    let mut m = d.to_vec();
    let kind = rng.below(6);
    let what = match kind {
        0 => {
            let flips = 1 + rng.below(4);
            for _ in 0..flips {
                let i = rng.below(m.len());
                m[i] ^= 1 << rng.below(8);
            }
            format!("{flips} bit flips")
        }
        1 => {
            let n = rng.below(m.len());
            m.truncate(n);
            format!("truncated to {n}")
        }
        2 | 3 => {
            // A block length field: header or trailer, edge or off-by-some.
            let (o, _) = blocks[rng.below(blocks.len())];
            let len = u32::from_le_bytes(m[o + 4..o + 8].try_into().unwrap());
            let v = if rng.below(2) == 0 {
                EDGE[rng.below(EDGE.len())]
            } else {
                len.wrapping_add(rng.below(17) as u32).wrapping_sub(8)
            };
            let at = if kind == 2 {
                o + 4
            } else {
                o + len as usize - 4
            };
            if at + 4 <= m.len() {
                m[at..at + 4].copy_from_slice(&v.to_le_bytes());
            }
            format!("block at {o}: length field at {at} = {v}")
        }
        4 => {
            // Inside an event block: event len, nparams or a parameter length.
            let evs: Vec<_> = blocks
                .iter()
                .filter(|(_, bt)| matches!(bt, 0x204 | 0x216 | 0x217 | 0x221))
                .collect();
            let (o, bt) = *evs[rng.below(evs.len())];
            let ev = o + 8 + if bt == 0x217 { 6 } else { 2 };
            let field = [ev + 16, ev + 22, ev + 26, ev + 28][rng.below(4)];
            let v = EDGE[rng.below(EDGE.len())];
            if field + 4 <= m.len() {
                m[field..field + 4].copy_from_slice(&v.to_le_bytes());
            }
            format!("event block at {o}: field at {field} = {v}")
        }
        _ => {
            // A 16-bit string length inside a state block.
            let st: Vec<_> = blocks
                .iter()
                .filter(|(_, bt)| !matches!(bt, 0x204 | 0x216 | 0x217 | 0x221 | 0x0A0D0D0A))
                .collect();
            let (o, _) = *st[rng.below(st.len())];
            let len = u32::from_le_bytes(m[o + 4..o + 8].try_into().unwrap()) as usize;
            let at = o + 8 + rng.below(len.saturating_sub(14));
            let v = [0u16, 1, 0x7FFF, u16::MAX][rng.below(4)];
            m[at..at + 2].copy_from_slice(&v.to_le_bytes());
            format!("state block at {o}: u16 at {at} = {v}")
        }
    };
    (what, m)
}

fn check(what: &str, input_len: usize, out: &Outcome, gz: bool) {
    match &out.error {
        None => {}
        Some(ScapError::Corrupt { offset, .. }) => {
            assert!(
                (*offset as usize) < input_len || gz,
                "{what}: error offset {offset} past the input ({input_len})"
            );
            let msg = out.error.as_ref().unwrap().to_string();
            assert!(msg.contains(&format!("offset {offset}")), "{what}: {msg}");
        }
        Some(ScapError::Read { .. }) if gz => {}
        Some(e) => panic!("{what}: unexpected error kind {e:?}"),
    }
}

#[test]
fn mutated_traces_give_errors_not_panics() {
    let mut total = 0;
    let mut errors = 0;
    for (t, trace) in traces().iter().enumerate() {
        let raw = std::fs::read(trace).unwrap();
        let mut plain = Vec::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_end(&mut plain)
            .unwrap();
        let base = read_everything(&plain, true);
        assert!(
            base.error.is_none(),
            "{}: {:?}",
            trace.display(),
            base.error
        );
        let bl = blocks(&plain);
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (t as u64 + 1));
        let per_trace: usize = std::env::var("FALCON_SCAP_MUTATIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(500);
        for i in 0..per_trace {
            let (what, m) = mutate(&mut rng, &plain, &bl);
            let what = format!("{} mutation {i}: {what}", trace.display());
            let out = read_everything(&m, i % 2 == 0);
            check(&what, m.len(), &out, false);
            errors += out.error.is_some() as usize;
            total += 1;
        }
        // The compressed originals, bit-flipped: gzip errors are read errors.
        for i in 0..20 {
            let mut m = raw.clone();
            let p = 10 + rng.below(m.len() - 10);
            m[p] ^= 1 << rng.below(8);
            let out = read_everything(&m, true);
            check(&format!("gz flip {i} at {p}"), usize::MAX, &out, true);
            total += 1;
        }
    }
    println!("{total} mutated inputs, {errors} rejected with an offset, none panicked");
    assert!(total >= 3000);
    assert!(errors > total / 4, "mutations too weak: {errors}/{total}");
}
