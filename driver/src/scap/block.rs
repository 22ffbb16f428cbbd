//! Block type codes of the `.scap` format and their human names.
//!
//! The file is a sequence of pcapng-like blocks: `u32 type`, `u32 total_length`,
//! body, zero padding to a multiple of 4, `u32 total_length` again.

/// Section header block.
pub const SHB: u32 = 0x0A0D0D0A;
/// Byte-order magic in the SHB body (little-endian file).
pub const SHB_MAGIC: u32 = 0x1A2B3C4D;
/// Highest major format version this reader understands.
pub const MAJOR_VERSION: u16 = 1;
/// Minor format version written by [`crate::scap::CaptureWriter`].
pub const MINOR_VERSION: u16 = 2;

pub const MI: u32 = 0x201;
pub const MI_INT: u32 = 0x8002ABCD;

pub const PL_V1: u32 = 0x202;
pub const PL_V1_INT: u32 = 0x8000ABCD;
pub const PL_V2: u32 = 0x207;
pub const PL_V2_INT: u32 = 0x8013ABCD;
pub const PL_V3: u32 = 0x209;
pub const PL_V3_INT: u32 = 0x8014ABCD;
pub const PL_V4: u32 = 0x210;
pub const PL_V5: u32 = 0x211;
pub const PL_V6: u32 = 0x212;
pub const PL_V7: u32 = 0x213;
pub const PL_V8: u32 = 0x214;
pub const PL_V9: u32 = 0x215;

pub const FDL_V1: u32 = 0x203;
pub const FDL_V1_INT: u32 = 0x8001ABCD;
pub const FDL_V2: u32 = 0x218;

pub const EV_V1: u32 = 0x204;
pub const EV_V1_INT: u32 = 0x8010ABCD;
pub const EV_V2: u32 = 0x216;
pub const EV_V2_LARGE: u32 = 0x221;
pub const EVF_V1: u32 = 0x208;
pub const EVF_V2: u32 = 0x217;
pub const EVF_V2_LARGE: u32 = 0x222;

pub const IL_V1: u32 = 0x205;
pub const IL_V1_INT: u32 = 0x8011ABCD;
pub const IL_V2: u32 = 0x219;

pub const UL_V1: u32 = 0x206;
pub const UL_V1_INT: u32 = 0x8012ABCD;
pub const UL_V2: u32 = 0x220;

/// Version of a process-list block (1..=9), or `None` for another block type.
pub fn pl_version(bt: u32) -> Option<u8> {
    Some(match bt {
        PL_V1 | PL_V1_INT => 1,
        PL_V2 | PL_V2_INT => 2,
        PL_V3 | PL_V3_INT => 3,
        PL_V4 => 4,
        PL_V5 => 5,
        PL_V6 => 6,
        PL_V7 => 7,
        PL_V8 => 8,
        PL_V9 => 9,
        _ => return None,
    })
}

/// The name of a block type as used in error messages (`"EV_V2"`, `"PL_V9"`...).
pub fn name(bt: u32) -> &'static str {
    match bt {
        SHB => "SHB",
        MI | MI_INT => "MI",
        PL_V1 | PL_V1_INT => "PL_V1",
        PL_V2 | PL_V2_INT => "PL_V2",
        PL_V3 | PL_V3_INT => "PL_V3",
        PL_V4 => "PL_V4",
        PL_V5 => "PL_V5",
        PL_V6 => "PL_V6",
        PL_V7 => "PL_V7",
        PL_V8 => "PL_V8",
        PL_V9 => "PL_V9",
        FDL_V1 | FDL_V1_INT => "FDL_V1",
        FDL_V2 => "FDL_V2",
        EV_V1 | EV_V1_INT => "EV_V1",
        EV_V2 => "EV_V2",
        EV_V2_LARGE => "EV_V2_LARGE",
        EVF_V1 => "EVF_V1",
        EVF_V2 => "EVF_V2",
        EVF_V2_LARGE => "EVF_V2_LARGE",
        IL_V1 | IL_V1_INT => "IL_V1",
        IL_V2 => "IL_V2",
        UL_V1 | UL_V1_INT => "UL_V1",
        UL_V2 => "UL_V2",
        _ => "unknown",
    }
}

/// Event blocks: (has a flags word, has the 26-byte V2 header).
pub fn event_block(bt: u32) -> Option<(bool, bool)> {
    Some(match bt {
        EV_V1 | EV_V1_INT => (false, false),
        EVF_V1 => (true, false),
        EV_V2 | EV_V2_LARGE => (false, true),
        EVF_V2 | EVF_V2_LARGE => (true, true),
        _ => return None,
    })
}

/// Rounds `n` up to a multiple of 4.
pub const fn align4(n: usize) -> usize {
    (n + 3) & !3
}
