//! Redis's LFU access counter, kept in an entry's `access` field while an LFU
//! `maxmemory-policy` is selected: the minute of the last decrement in the high 16
//! bits, a logarithmic 8-bit access counter in the low 8. OBJECT FREQ reports it.
//!
//! Redis's defaults `lfu-log-factor 10` and `lfu-decay-time 1` are used.

const INIT: u32 = 5;
const LOG_FACTOR: f64 = 10.0;
const DECAY_MINUTES: u32 = 1;

/// The LFU clock: Unix minutes modulo 2^16.
pub fn minutes(unix_ms: u64) -> u32 {
    ((unix_ms / 60_000) & 0xffff) as u32
}

/// The `access` value of a new entry.
pub fn initial(minutes: u32) -> u32 {
    (minutes << 8) | INIT
}

/// The counter after decaying one step per `lfu-decay-time` minutes of idleness.
pub fn counter(access: u32, now_minutes: u32) -> u32 {
    let (ldt, counter) = ((access >> 8) & 0xffff, access & 0xff);
    let elapsed = if now_minutes >= ldt { now_minutes - ldt } else { 0xffff - ldt + now_minutes };
    counter.saturating_sub(elapsed / DECAY_MINUTES)
}

/// The `access` value after one more access at `now_minutes`: decay, then a
/// probabilistic increment that gets rarer as the counter grows.
pub fn accessed(access: u32, now_minutes: u32) -> u32 {
    let mut c = counter(access, now_minutes);
    if c < 255 {
        let base = c.saturating_sub(INIT) as f64;
        if rand::random::<f64>() < 1.0 / (base * LOG_FACTOR + 1.0) {
            c += 1;
        }
    }
    (now_minutes << 8) | c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_access_always_counts_and_idleness_decays() {
        let a = initial(100);
        assert_eq!(counter(a, 100), 5);
        let a = accessed(a, 100);
        assert_eq!(counter(a, 100), 6);
        assert_eq!(counter(a, 103), 3);
        assert_eq!(counter(a, 200), 0);
    }
}
