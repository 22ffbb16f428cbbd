//! The one libc call of the fields module: the local UTC offset.

/// Seconds east of UTC of the local zone now (0 if it cannot be known).
pub fn utc_offset_now() -> i64 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as libc::time_t);
    let mut tm = std::mem::MaybeUninit::<libc::tm>::zeroed();
    // SAFETY: `now` is a valid time_t and `tm` points to writable memory
    // of the right size; localtime_r is reentrant and writes only `tm`.
    let r = unsafe { libc::localtime_r(&now, tm.as_mut_ptr()) };
    if r.is_null() {
        return 0;
    }
    // SAFETY: localtime_r returned non-null, so it initialised `tm`.
    let tm = unsafe { tm.assume_init() };
    tm.tm_gmtoff
}
