//! Fuzzes the `.scap` reader (with and without conversion) through the
//! same body as `driver/tests/scap_fuzz.rs`.
#![no_main]

use falcon_driver::scap::fuzzing::read_everything;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let convert = data.first().is_some_and(|b| b & 1 == 0);
    let out = read_everything(data, convert);
    if let Some(falcon_driver::scap::ScapError::Corrupt { offset, .. }) = out.error {
        // Offsets point into the (decompressed) input.
        let gz = data.len() >= 2 && data[0] == 0x1f && data[1] == 0x8b;
        assert!(gz || (offset as usize) < data.len());
    }
});
