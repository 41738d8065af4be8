//! Float increments in C `long double`, as Redis computes INCRBYFLOAT (and
//! HINCRBYFLOAT). The arithmetic lives in `csrc/longdouble.c`: Rust has no 80-bit
//! extended float, and doing it in f64 rounds differently from Redis (see there).

use super::CmdError;

/// Size of the output buffer the C side formats into (its `CINNABAR_LD_MAX_CHARS`).
const MAX_CHARS: usize = 5120;

extern "C" {
    fn cinnabar_ld_incr(
        value: *const u8,
        value_len: usize,
        incr: *const u8,
        incr_len: usize,
        out: *mut u8,
    ) -> std::ffi::c_long;
}

/// `value + incr` as Redis prints it (`%.17Lf` without trailing zeros). Errors:
/// "value is not a valid float" for either operand (the stored value is checked
/// first), "increment would produce NaN or Infinity" for the sum.
pub fn incr_by_float(value: &[u8], incr: &[u8]) -> Result<Vec<u8>, CmdError> {
    let mut out = vec![0u8; MAX_CHARS];
    // SAFETY: both inputs are valid for their lengths; `out` has the MAX_CHARS bytes
    // the C side writes at most; the function keeps no pointer after returning.
    let n =
        unsafe { cinnabar_ld_incr(value.as_ptr(), value.len(), incr.as_ptr(), incr.len(), out.as_mut_ptr()) };
    match n {
        -1 | -2 => Err(CmdError::NotFloat),
        n if n < 0 => Err(CmdError::err("increment would produce NaN or Infinity")),
        n => {
            out.truncate(n as usize);
            Ok(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(a: &str, b: &str) -> Result<String, CmdError> {
        incr_by_float(a.as_bytes(), b.as_bytes()).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn rounds_like_redis() {
        assert_eq!(add("10.5", "0.1").unwrap(), "10.6");
        assert_eq!(add("3.0000000000000001", "0").unwrap(), "3.0000000000000001");
        assert_eq!(add("5.0e3", "0").unwrap(), "5000");
        assert_eq!(add("-0", "0").unwrap(), "0");
        assert_eq!(add("1", "-1").unwrap(), "0");
        assert_eq!(add("0x10", "1").unwrap(), "17");
        assert_eq!(add("-1e-20", "0").unwrap(), "0");
    }

    #[test]
    fn rejects_like_redis() {
        for bad in ["", " 1", "1 ", "nan", "1e5000", "1e-5000", "1_0", "1\x002"] {
            assert_eq!(add(bad, "1"), Err(CmdError::NotFloat), "{bad:?}");
            assert_eq!(add("1", bad), Err(CmdError::NotFloat), "{bad:?}");
        }
        assert_eq!(add("1", &"1".repeat(5120)), Err(CmdError::NotFloat));
        assert!(matches!(add("inf", "1"), Err(CmdError::Msg(_))));
        assert!(matches!(add("1e4932", "1e4932"), Err(CmdError::Msg(_))));
    }
}
