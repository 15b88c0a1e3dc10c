//! The repository's rules as a test (after rust-analyzer's tidy test). Every Rust file opens
//! with a `//!` line saying what it is for. No test is switched off with an ignore attribute,
//! and no `dbg` macro is left behind. Every crate, present and planned, links only what its
//! entry in `ALLOWED` lists: only the store knows SQL, only the service will know HTTP, only
//! the feed crate knows NATS. And no crate declares a dependency for the kinds of data
//! Docket must not touch.

use std::path::{Path, PathBuf};

/// What each crate may link (its normal and build dependencies; tests may use more), present
/// and planned, and why it is limited so. A crate missing from this list fails the test: a
/// new crate states its boundary here first.
const ALLOWED: &[(&str, &[&str], &str)] = &[
    (
        "docket-core",
        &["thiserror", "unicode-normalization", "jiff"],
        "the domain core does no IO: no SQL, JSON, CSV, command line, async runtime or HTTP",
    ),
    (
        "docket-ledger",
        &["base64", "ed25519-dalek", "rand_core", "sha2", "thiserror"],
        "the ledger hashes and signs; its storage is the caller's",
    ),
    (
        "docket-link",
        &["csv", "serde", "serde_json", "thiserror", "toml", "unicode-normalization"],
        "the linkage engine is generic: it knows nothing of immigration, databases or the command line",
    ),
    (
        "docket-wire",
        &["docket-core", "serde", "serde_json", "thiserror"],
        "the wire formats convert text to core types and create their files owner-only; they store and send nothing",
    ),
    (
        "docket-store",
        &[
            "docket-core",
            "docket-ledger",
            "docket-wire",
            "postgres",
            "rusqlite",
            "serde",
            "serde_json",
            "sha2",
            "thiserror",
        ],
        "only the store knows SQL; it knows nothing of HTTP, NATS or the command line",
    ),
    (
        "docket-app",
        &[
            "base64",
            "csv",
            "csv-core",
            "docket-core",
            "docket-ledger",
            "docket-link",
            "docket-policy",
            "docket-store",
            "docket-wire",
            "getrandom",
            "memchr",
            "r2d2",
            "serde",
            "serde_json",
            "sha2",
            "tempfile",
            "thiserror",
        ],
        "the application layer is shell-free: no SQL of its own, no HTTP, no NATS, no argument parsing",
    ),
    (
        "docket-synth",
        &["anyhow", "csv", "docket-core", "docket-wire", "serde_json"],
        "synthetic data writes files in the wire formats; it knows nothing of the store",
    ),
    (
        "docket",
        &[
            "anyhow",
            "base64",
            "clap",
            "clap_complete",
            "clap_mangen",
            "csv",
            "docket-app",
            "docket-core",
            "docket-feed",
            "docket-ledger",
            "docket-link",
            "docket-store",
            "docket-synth",
            "indicatif",
            "mimalloc",
            "serde",
            "serde_json",
        ],
        "the command line parses, calls docket-app and renders; no SQL, HTTP or NATS of its own (the feed through docket-feed)",
    ),
    (
        "docket-policy",
        &["cedar-policy", "docket-core", "miette", "serde", "serde_json", "thiserror", "toml"],
        "gate and priority policies are data over the case core: no storage, HTTP or NATS; Cedar is the policy language",
    ),
    (
        "docket-feed",
        &[
            "async-nats",
            "docket-app",
            "docket-core",
            "docket-wire",
            "futures",
            "serde",
            "serde_json",
            "thiserror",
            "tokio",
        ],
        "the one crate that knows NATS: the departure feed consumer, over docket-app; no SQL, no HTTP",
    ),
    // Planned, and held to its boundaries before it exists.
    (
        "docket-server",
        &[
            "axum",
            "docket-app",
            "docket-core",
            "docket-policy",
            "docket-wire",
            "serde",
            "serde_json",
            "thiserror",
            "tokio",
            "tower",
            "tower-http",
        ],
        "the one crate that knows HTTP: the service over docket-app; no SQL, no NATS",
    ),
];

/// Kinds of dependency only one crate may link, whatever the list above says.
const ONLY_IN: &[(&str, &[&str], &str)] = &[
    ("docket-store", &["rusqlite", "postgres", "tokio-postgres", "sqlx", "diesel", "sea-orm", "r2d2_postgres"], "SQL"),
    ("docket-server", &["axum", "hyper", "actix-web", "warp", "rocket", "reqwest", "tower-http", "tiny_http"], "HTTP"),
    ("docket-feed", &["async-nats", "nats"], "NATS"),
];

/// Fragments of crate names that suggest the data sources DESIGN.md puts out of bounds
/// ("The line Docket does not cross": no location or movement tracking, no maps, no facial
/// recognition). These checks look for such a capability being added, not at how a
/// dependency is used. A name containing one of them fails the test, and the failure should
/// lead to a conversation, not an allowlist entry.
const OUT_OF_BOUNDS: &[(&str, &str)] = &[
    ("geo", "geolocation, geocoding, geospatial targeting"),
    ("gps", "location tracking"),
    ("maps", "map services"),
    ("gis", "geographic information systems"),
    ("h3o", "geospatial indexing"),
    ("face", "facial recognition"),
    ("opencv", "computer vision"),
    ("dlib", "face detection"),
    ("biometric", "biometric identification"),
];

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn files_under(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot list `{}`: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target" || n.to_string_lossy().starts_with('.')) {
                continue;
            }
            files_under(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

fn rust_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    files_under(&workspace_root().join("crates"), "rs", &mut files);
    files.sort();
    assert!(files.len() > 20, "found only {} Rust files; is the walk looking in the right place?", files.len());
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read `{}`: {e}", path.display()))
}

fn relative(path: &Path) -> String {
    let root = workspace_root();
    path.strip_prefix(&root).unwrap_or(path).display().to_string()
}

#[test]
fn every_rust_file_opens_with_a_doc_line() {
    let mut missing = Vec::new();
    for path in rust_files() {
        let text = read(&path);
        // Inner attributes (`#![allow(...)]`) and blank lines may come first.
        let first = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("#!["));
        if !first.is_some_and(|l| l.starts_with("//!")) {
            missing.push(relative(&path));
        }
    }
    assert!(missing.is_empty(), "files that do not open with a `//!` line saying what they are for: {missing:#?}");
}

#[test]
fn no_test_is_ignored_and_no_dbg_is_left() {
    // Written split so that this file does not trip its own check.
    let ignore = concat!("#[", "ignore");
    let dbg = concat!("dbg", "!(");
    let mut found = Vec::new();
    for path in rust_files() {
        for (i, line) in read(&path).lines().enumerate() {
            for needle in [ignore, dbg] {
                if line.contains(needle) {
                    found.push(format!("{}:{}: `{}`", relative(&path), i + 1, line.trim()));
                }
            }
        }
    }
    assert!(found.is_empty(), "switched-off tests or leftover debugging: {found:#?}");
}

/// A dependency a manifest declares: its name and the section it is in.
#[derive(Debug)]
struct Declared {
    name: String,
    section: String,
}

/// The dependencies a `Cargo.toml` declares in any dependency table (normal, dev, build,
/// target-specific, workspace), read with plain text parsing: `name = ...`,
/// `name.workspace = true` or a `[dependencies.name]` header.
fn declared(manifest: &str) -> Vec<Declared> {
    let mut out = Vec::new();
    let mut section = String::new();
    // Open `{` or `[` of a value spread over several lines: its lines are not declarations.
    let mut depth = 0i32;
    for line in manifest.lines().map(str::trim) {
        let inside = depth > 0;
        depth += line.matches(['{', '[']).count() as i32 - line.matches(['}', ']']).count() as i32;
        if inside {
            continue;
        }
        if let Some(header) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = header.trim().to_owned();
            // `[dependencies.serde]` or `[target.'cfg(unix)'.dev-dependencies.libc]`: a table
            // for one dependency, whose own keys (`version = ...`) are not dependencies.
            if let Some(at) = section.find("dependencies.") {
                let (table, name) = section.split_at(at + "dependencies".len());
                out.push(Declared { name: name[1..].trim_matches('"').to_owned(), section: table.to_owned() });
            }
            continue;
        }
        if !section.ends_with("dependencies") || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, _)) = line.split_once('=') else { continue };
        let name = key.split('.').next().unwrap_or_default().trim().trim_matches('"');
        if !name.is_empty() {
            out.push(Declared { name: name.to_owned(), section: section.clone() });
        }
    }
    out
}

fn manifests() -> Vec<(String, String)> {
    let mut files = Vec::new();
    files_under(&workspace_root().join("crates"), "toml", &mut files);
    let mut out: Vec<(String, String)> = files
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "Cargo.toml"))
        .map(|p| {
            let crate_name = p
                .parent()
                .and_then(Path::file_name)
                .map(|n| n.to_string_lossy().into_owned())
                .expect("a manifest is in its crate's directory");
            (crate_name, read(&p))
        })
        .collect();
    out.push(("(workspace)".into(), read(&workspace_root().join("Cargo.toml"))));
    out.sort();
    out
}

#[test]
fn the_manifest_reader_sees_every_kind_of_declaration() {
    let manifest = r#"
[package]
name = "x"
[dependencies]
serde.workspace = true
"csv" = "1"
[dev-dependencies]
proptest = { workspace = true }
tempfile = { version = "3",
    features = ["a", "b"] }
[target.'cfg(unix)'.dependencies]
libc = "0.2"
[dependencies.geo-types]
version = "0.7"
[workspace.dependencies]
tokio = "1"
"#;
    let names: Vec<(String, String)> = declared(manifest).into_iter().map(|d| (d.section, d.name)).collect();
    let want = [
        ("dependencies", "serde"),
        ("dependencies", "csv"),
        ("dev-dependencies", "proptest"),
        ("dev-dependencies", "tempfile"),
        ("target.'cfg(unix)'.dependencies", "libc"),
        ("dependencies", "geo-types"),
        ("workspace.dependencies", "tokio"),
    ];
    assert_eq!(names, want.map(|(s, n)| (s.to_owned(), n.to_owned())));
}

/// What `krate`'s manifest links beyond [`ALLOWED`] and [`ONLY_IN`].
fn direction_violations(krate: &str, manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    // What the library links: its normal and build dependencies, not its tests'.
    let linked: Vec<Declared> = declared(manifest)
        .into_iter()
        .filter(|d| !d.section.ends_with("dev-dependencies") && !d.section.starts_with("workspace"))
        .collect();
    match ALLOWED.iter().find(|(name, _, _)| *name == krate) {
        None => out.push(format!("crate `{krate}` has no entry in ALLOWED: state what it may link, and why")),
        Some((_, allowed, why)) => {
            for d in linked.iter().filter(|d| !allowed.contains(&d.name.as_str())) {
                out.push(format!("`{krate}` links `{}` (in [{}]), which it may not: {why}", d.name, d.section));
            }
        }
    }
    for (owner, names, what) in ONLY_IN {
        for d in linked.iter().filter(|d| krate != *owner && names.contains(&d.name.as_str())) {
            out.push(format!("`{krate}` links `{}`: only `{owner}` knows {what}", d.name));
        }
    }
    out
}

/// What `krate`'s manifest declares against [`OUT_OF_BOUNDS`].
fn out_of_bounds(krate: &str, manifest: &str) -> Vec<String> {
    let mut out = Vec::new();
    for d in declared(manifest) {
        let lower = d.name.to_ascii_lowercase();
        for (fragment, what) in OUT_OF_BOUNDS {
            if lower.contains(fragment) {
                out.push(format!("`{krate}` declares `{}` in [{}]: looks like {what}", d.name, d.section));
            }
        }
    }
    out
}

#[test]
fn the_dependency_checks_catch_what_they_are_for() {
    let core = "[dependencies]\nthiserror.workspace = true\nserde_json = \"1\"\n[dev-dependencies]\nserde = \"1\"\n";
    assert_eq!(direction_violations("docket-core", core).len(), 1, "core may test with serde, not link serde_json");
    let store = "[dependencies]\nrusqlite = \"0.37\"\n[target.'cfg(unix)'.dependencies]\naxum = \"0.8\"\n";
    assert_eq!(
        direction_violations("docket-store", store).len(),
        2,
        "the store may not link axum: only the service knows HTTP"
    );
    let app = "[dependencies]\npostgres.workspace = true\n[dev-dependencies]\npostgres.workspace = true\n";
    assert_eq!(direction_violations("docket-app", app).len(), 2, "only the store knows SQL, though tests may use it");
    let feed = "[dependencies]\nasync-nats = \"0.38\"\ndocket-app.workspace = true\n";
    assert!(direction_violations("docket-feed", feed).is_empty(), "the feed crate is the one that knows NATS");
    assert_eq!(direction_violations("docket-server", feed).len(), 2, "the service may not know NATS");
    assert_eq!(direction_violations("docket-unlisted", "[dependencies]\n").len(), 1, "a new crate states its boundary");
    let any = "[dev-dependencies]\ngeojson = \"0.24\"\nrustface = \"0.1\"\nproptest = \"1\"\n";
    assert_eq!(out_of_bounds("docket-link", any).len(), 2, "geojson and rustface are out of bounds, even for tests");
}

#[test]
fn crates_keep_their_dependency_directions() {
    let manifests = manifests();
    for krate in ["docket-core", "docket-policy", "docket-store", "docket-app", "docket-wire", "docket-feed", "docket"]
    {
        assert!(manifests.iter().any(|(name, _)| name == krate), "no manifest for crate `{krate}`");
    }
    let bad: Vec<String> = manifests
        .iter()
        .filter(|(krate, _)| krate != "(workspace)")
        .flat_map(|(krate, text)| direction_violations(krate, text))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn no_crate_declares_a_dependency_for_data_docket_must_not_touch() {
    let found: Vec<String> = manifests().iter().flat_map(|(krate, text)| out_of_bounds(krate, text)).collect();
    assert!(
        found.is_empty(),
        "DESIGN.md, \"The line Docket does not cross\": no location tracking, maps or facial recognition: {found:#?}"
    );
}
