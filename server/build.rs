//! Builds the small C helper for long double arithmetic (see csrc/longdouble.c: Rust
//! has no 80-bit float, and INCRBYFLOAT must round exactly as Redis does).

fn main() {
    println!("cargo:rerun-if-changed=csrc/longdouble.c");
    cc::Build::new().file("csrc/longdouble.c").warnings(true).compile("cinnabar_longdouble");
}
