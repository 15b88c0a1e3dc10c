//! Conformance with the transparency-dev/merkle proof vectors (Apache-2.0,
//! licence beside the data in `tests/data/merkle/`): every happy path
//! verifies, every `wantErr` probe fails, and the happy-path proofs are the
//! ones this crate's [`Log`] produces over the RFC 6962 reference leaves.

use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use docket_ledger::{Hash, Log, MemoryStore, leaf_hash, verify_consistency, verify_inclusion};
use serde_json::Value;

/// Vectors found when this test was written: 98 inclusion and 98 consistency
/// probes. A directory that lost files, or came up empty, fails the count.
const INCLUSION_VECTORS: usize = 98;
const CONSISTENCY_VECTORS: usize = 98;
const HAPPY_INCLUSION_VECTORS: usize = 6;
const HAPPY_CONSISTENCY_VECTORS: usize = 6;

fn testdata() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/merkle/testdata");
    assert!(dir.is_dir(), "Merkle conformance vectors are missing: expected the folder {}", dir.display());
    dir
}

/// Every `.json` file under `dir`, recursively, sorted for stable output.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

struct Vector {
    name: String,
    json: Value,
}

impl Vector {
    fn load(path: &Path, root: &Path) -> Self {
        let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()));
        let name = path.strip_prefix(root).unwrap_or(path).display().to_string();
        Self { name, json }
    }

    fn u64(&self, field: &str) -> u64 {
        self.json[field].as_u64().unwrap_or_else(|| panic!("{}: `{field}` is not an unsigned integer", self.name))
    }

    fn bytes(&self, field: &str) -> Vec<u8> {
        let text = self.json[field].as_str().unwrap_or_else(|| panic!("{}: `{field}` is not a string", self.name));
        decode(&self.name, text)
    }

    /// The proof; `null` is the empty proof.
    fn proof(&self) -> Vec<Vec<u8>> {
        match &self.json["proof"] {
            Value::Null => Vec::new(),
            Value::Array(items) => items
                .iter()
                .map(|item| {
                    let text = item.as_str().unwrap_or_else(|| panic!("{}: proof item is not a string", self.name));
                    decode(&self.name, text)
                })
                .collect(),
            other => panic!("{}: `proof` is {other}", self.name),
        }
    }

    fn want_err(&self) -> bool {
        self.json["wantErr"].as_bool().unwrap_or_else(|| panic!("{}: `wantErr` is not a boolean", self.name))
    }
}

fn decode(name: &str, text: &str) -> Vec<u8> {
    BASE64.decode(text).unwrap_or_else(|e| panic!("{name}: `{text}` is not base64: {e}"))
}

fn load_all(kind: &str) -> Vec<Vector> {
    let root = testdata();
    let files = json_files(&root.join(kind));
    files.iter().map(|path| Vector::load(path, &root)).collect()
}

/// The eight leaves of RFC 6962's reference tree, from which the vectors'
/// happy paths were computed.
const REFERENCE_LEAVES: [&[u8]; 8] = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
];

fn as_vecs(proof: Vec<Hash>) -> Vec<Vec<u8>> {
    proof.iter().map(|hash| hash.to_vec()).collect()
}

fn reference_log() -> Log<MemoryStore> {
    let mut log = Log::new(MemoryStore::new());
    log.append_batch(&REFERENCE_LEAVES).expect("in-memory append");
    log
}

#[test]
fn inclusion_vectors() {
    let vectors = load_all("inclusion");
    assert_eq!(vectors.len(), INCLUSION_VECTORS, "inclusion vector count changed");
    let log = reference_log();
    let mut happy = 0;
    let mut compared_with_log = 0;
    for v in &vectors {
        let (index, size) = (v.u64("leafIdx"), v.u64("treeSize"));
        let (leaf, root, proof) = (v.bytes("leafHash"), v.bytes("root"), v.proof());
        let result = verify_inclusion(&leaf, index, size, &proof, &root);
        if v.want_err() {
            assert!(result.is_err(), "{}: tampered proof verified", v.name);
            continue;
        }
        happy += 1;
        result.unwrap_or_else(|e| panic!("{}: happy path failed: {e}", v.name));
        // Reproduce the proof where the vector uses the reference tree.
        if size <= 8 && log.root(size).expect("root").as_slice() == root {
            assert_eq!(
                as_vecs(log.inclusion_proof(index, size).expect("proof")),
                proof,
                "{}: this crate's proof differs",
                v.name
            );
            let leaf_data = REFERENCE_LEAVES[usize::try_from(index).expect("small index")];
            assert_eq!(leaf_hash(leaf_data).as_slice(), leaf, "{}", v.name);
            compared_with_log += 1;
        }
    }
    assert_eq!(happy, HAPPY_INCLUSION_VECTORS);
    // Only the single-entry vector uses another tree.
    assert_eq!(compared_with_log, HAPPY_INCLUSION_VECTORS - 1);
}

#[test]
fn consistency_vectors() {
    let vectors = load_all("consistency");
    assert_eq!(vectors.len(), CONSISTENCY_VECTORS, "consistency vector count changed");
    let log = reference_log();
    let mut happy = 0;
    let mut compared_with_log = 0;
    for v in &vectors {
        let (old_size, new_size) = (v.u64("size1"), v.u64("size2"));
        let (old_root, new_root, proof) = (v.bytes("root1"), v.bytes("root2"), v.proof());
        let result = verify_consistency(old_size, new_size, &old_root, &new_root, &proof);
        if v.want_err() {
            assert!(result.is_err(), "{}: tampered proof verified", v.name);
            continue;
        }
        happy += 1;
        result.unwrap_or_else(|e| panic!("{}: happy path failed: {e}", v.name));
        let on_reference_tree = new_size <= 8
            && log.root(old_size).expect("root").as_slice() == old_root
            && log.root(new_size).expect("root").as_slice() == new_root;
        if on_reference_tree {
            assert_eq!(
                as_vecs(log.consistency_proof(old_size, new_size).expect("proof")),
                proof,
                "{}: this crate's proof differs",
                v.name
            );
            compared_with_log += 1;
        }
    }
    assert_eq!(happy, HAPPY_CONSISTENCY_VECTORS);
    // All happy paths but `additional/`'s placeholder roots use the reference tree.
    assert_eq!(compared_with_log, HAPPY_CONSISTENCY_VECTORS - 1);
}
