//! Names the payjoin crate actually built: its version as the lock file beside the generated
//! Cargo.toml resolves it, for `hello`'s `version` (`env!("PJCONF_PAYJOIN_VERSION")`).
use std::path::Path;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let lock = Path::new(&dir).join("Cargo.lock");
    println!("cargo:rerun-if-changed={}", lock.display());
    let text = std::fs::read_to_string(&lock).expect("Cargo.lock beside the generated Cargo.toml");
    let mut lines = text.lines();
    let mut version = None;
    while let Some(line) = lines.next() {
        if line.trim() == "name = \"payjoin\"" {
            version = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("version = \""))
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string);
            break;
        }
    }
    let version = version.expect("Cargo.lock names the payjoin package and its version");
    println!("cargo:rustc-env=PJCONF_PAYJOIN_VERSION={version}");
}
