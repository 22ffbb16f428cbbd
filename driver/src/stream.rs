//! The merged event stream: per-CPU rings drained in batches and merged by
//! timestamp within a bounded reorder window.
//!
//! Each ring is in timestamp order on its own (one producer CPU). A drain
//! round snapshots every ring, then merges runs: it takes the ring whose next
//! event is oldest and hands out its events while they are not newer than
//! the next-oldest head of the other rings, so the comparison across rings
//! happens once per run, not once per event.
//!
//! # Ordering guarantee
//!
//! An event is handed out only when nothing older can still arrive: it must
//! not be newer than the last event already seen in every other non-empty
//! ring, and not newer than `now - window` when some ring is empty (an idle
//! CPU may still be committing an event stamped a little earlier). Events
//! held back stay in their ring (its consumer position is not advanced past
//! them) and come out in a later round. [`Merger::drain_all`] ignores the
//! window, for shutdown. Events that a producer stamps but commits more than
//! `window` later can still come out of order; the merge does not reorder
//! what it has already handed out.

use crate::event::{Event, EventError};

/// A source of records in timestamp order whose consumption is published in
/// batches. Implemented by the BPF ring (`bpf::ring`) and by test fakes.
pub trait Ring {
    /// Takes a snapshot of the committed records (and their last timestamp).
    fn begin(&mut self);
    /// The record at the cursor, if the snapshot has one left.
    fn peek(&self) -> Option<&[u8]>;
    /// Moves the cursor past the current record.
    fn advance(&mut self);
    /// Timestamp of the last record in the snapshot.
    fn last_ts(&self) -> Option<u64>;
    /// Releases every record before the cursor to the producer.
    fn commit(&mut self);
}

/// Outcome of one drain round.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct DrainStats {
    /// events handed to the callback
    pub events: u64,
    /// records that were not well-formed events (counted, skipped)
    pub malformed: u64,
    /// events left in the rings for a later round (reorder window)
    pub held_back: bool,
}

/// Merges a set of rings; see the module docs for the ordering guarantee.
#[derive(Debug, Clone)]
pub struct Merger {
    window_ns: u64,
    /// most events handed out per round (bounds the time between polls)
    max_batch: u64,
    last_error: Option<EventError>,
}

fn head_ts(r: &impl Ring) -> Option<u64> {
    r.peek().map(|b| {
        let mut a = [0u8; 8];
        if b.len() >= 8 {
            a.copy_from_slice(&b[..8]);
        }
        u64::from_le_bytes(a)
    })
}

impl Merger {
    /// A merger that holds events back for at most `window_ns` and hands out
    /// at most `max_batch` events per round.
    pub fn new(window_ns: u64, max_batch: u64) -> Self {
        Merger {
            window_ns,
            max_batch: max_batch.max(1),
            last_error: None,
        }
    }

    /// The last decoding error seen (the record was skipped and counted).
    pub fn last_error(&self) -> Option<&EventError> {
        self.last_error.as_ref()
    }

    /// One round: hands out, oldest first, every event that is safe to
    /// emit at time `now_ns` (same clock as event timestamps). The callback
    /// gets the ring's index (the CPU) and the event.
    pub fn drain<R: Ring>(
        &mut self,
        rings: &mut [R],
        now_ns: u64,
        f: impl FnMut(usize, &Event<'_>),
    ) -> DrainStats {
        let limit = {
            for r in rings.iter_mut() {
                r.begin();
            }
            let mut limit = u64::MAX;
            for r in rings.iter() {
                let bound = match r.last_ts() {
                    Some(ts) => ts,
                    None => now_ns.saturating_sub(self.window_ns),
                };
                limit = limit.min(bound);
            }
            limit
        };
        self.merge(rings, limit, f)
    }

    /// Hands out everything in the rings, ignoring the window (shutdown).
    pub fn drain_all<R: Ring>(
        &mut self,
        rings: &mut [R],
        f: impl FnMut(usize, &Event<'_>),
    ) -> DrainStats {
        for r in rings.iter_mut() {
            r.begin();
        }
        self.merge(rings, u64::MAX, f)
    }

    fn merge<R: Ring>(
        &mut self,
        rings: &mut [R],
        limit: u64,
        mut f: impl FnMut(usize, &Event<'_>),
    ) -> DrainStats {
        let mut st = DrainStats::default();
        'rounds: loop {
            // oldest head, and the oldest head among the others
            let mut best: Option<(usize, u64)> = None;
            let mut second = u64::MAX;
            for (i, r) in rings.iter().enumerate() {
                if let Some(ts) = head_ts(r) {
                    match best {
                        Some((_, b)) if ts >= b => second = second.min(ts),
                        Some((_, b)) => {
                            second = second.min(b);
                            best = Some((i, ts));
                        }
                        None => best = Some((i, ts)),
                    }
                }
            }
            let Some((i, ts)) = best else { break };
            if ts > limit {
                st.held_back = true;
                break;
            }
            let run_end = second.min(limit);
            let r = &mut rings[i];
            while let Some(rec) = r.peek() {
                match Event::parse(rec) {
                    Ok(ev) => {
                        if ev.ts() > run_end {
                            break;
                        }
                        f(i, &ev);
                        st.events += 1;
                    }
                    Err(e) => {
                        st.malformed += 1;
                        self.last_error = Some(e);
                    }
                }
                r.advance();
                if st.events >= self.max_batch {
                    st.held_back = true;
                    break 'rounds;
                }
            }
        }
        for r in rings.iter_mut() {
            r.commit();
        }
        st
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::event::EventBuilder;

    /// A ring over prebuilt events; `visible` is how many are committed.
    pub struct FakeRing {
        pub recs: Vec<Vec<u8>>,
        pub pos: usize,
        pub committed: usize,
        pub visible: usize,
        end: usize,
    }

    impl FakeRing {
        pub fn new(ts: &[u64]) -> Self {
            let mut b = EventBuilder::new();
            let recs: Vec<Vec<u8>> = ts
                .iter()
                .map(|&t| {
                    b.start()
                        .param_u16(1)
                        .param_u16(39)
                        .finish(t, t, 1)
                        .to_vec()
                })
                .collect();
            let n = recs.len();
            FakeRing {
                recs,
                pos: 0,
                committed: 0,
                visible: n,
                end: 0,
            }
        }
    }

    impl Ring for FakeRing {
        fn begin(&mut self) {
            self.pos = self.committed;
            self.end = self.visible;
        }
        fn peek(&self) -> Option<&[u8]> {
            (self.pos < self.end).then(|| &self.recs[self.pos][..])
        }
        fn advance(&mut self) {
            self.pos += 1;
        }
        fn last_ts(&self) -> Option<u64> {
            (self.end > self.committed).then(|| {
                let r = &self.recs[self.end - 1];
                u64::from_le_bytes(r[..8].try_into().unwrap())
            })
        }
        fn commit(&mut self) {
            self.committed = self.pos;
        }
    }

    fn collect(m: &mut Merger, rings: &mut [FakeRing], now: u64) -> Vec<u64> {
        let mut out = Vec::new();
        m.drain(rings, now, |_, e| out.push(e.ts()));
        out
    }

    #[test]
    fn merges_in_timestamp_order() {
        let mut rings = vec![FakeRing::new(&[1, 4, 5, 9]), FakeRing::new(&[2, 3, 6, 10])];
        let mut m = Merger::new(0, 1000);
        let out = collect(&mut m, &mut rings, 100);
        // 10 is newer than ring 0's last event (9): held back
        assert_eq!(out, vec![1, 2, 3, 4, 5, 6, 9]);
        let mut rest = Vec::new();
        m.drain_all(&mut rings, |_, e| rest.push(e.ts()));
        assert_eq!(rest, vec![10]);
    }

    #[test]
    fn empty_ring_holds_back_recent_events_only() {
        let mut rings = vec![FakeRing::new(&[100, 200, 300]), FakeRing::new(&[])];
        let mut m = Merger::new(50, 1000);
        // now=260: window ends at 210, so 300 waits
        assert_eq!(collect(&mut m, &mut rings, 260), vec![100, 200]);
        assert_eq!(collect(&mut m, &mut rings, 400), vec![300]);
        assert_eq!(collect(&mut m, &mut rings, 500), Vec::<u64>::new());
    }

    #[test]
    fn late_commit_is_merged_in_order() {
        let mut rings = vec![FakeRing::new(&[10, 20, 30]), FakeRing::new(&[15, 25])];
        rings[1].visible = 0; // CPU 1 has not committed yet
        let mut m = Merger::new(1000, 1000);
        assert_eq!(collect(&mut m, &mut rings, 500), Vec::<u64>::new());
        rings[1].visible = 2;
        assert_eq!(collect(&mut m, &mut rings, 600), vec![10, 15, 20, 25]);
    }

    #[test]
    fn batch_limit_and_malformed() {
        let mut r = FakeRing::new(&[1, 2, 3, 4]);
        r.recs[1][16] = 3; // length below the header: malformed
        let mut rings = vec![r];
        let mut m = Merger::new(0, 2);
        let mut out = Vec::new();
        let st = m.drain_all(&mut rings, |_, e| out.push(e.ts()));
        assert_eq!(out, vec![1, 3]);
        assert_eq!(st.malformed, 1);
        assert!(st.held_back);
        assert!(m.last_error().is_some());
        let st = m.drain_all(&mut rings, |_, e| out.push(e.ts()));
        assert_eq!(out, vec![1, 3, 4]);
        assert_eq!(st.events, 1);
    }
}
