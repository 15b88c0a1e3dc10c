//! An outside verifier written from docs/ledger.md alone: the document's own Python (the
//! inclusion and consistency checks, run as printed) checks proofs that the `docket` binary
//! gives for every kind of leaf and between every pair of its signed checkpoints, and rejects
//! altered ones. If the document and the program drift apart, this fails.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// The first ```python block after `heading` in docs/ledger.md.
fn python_after(doc: &str, heading: &str) -> String {
    let from = doc.find(heading).unwrap_or_else(|| panic!("docs/ledger.md has no `{heading}`"));
    let rest = &doc[from..];
    let start = rest.find("```python\n").expect("a python block") + "```python\n".len();
    let len = rest[start..].find("```").expect("the block ends");
    rest[start..start + len].to_owned()
}

fn docket(dir: &std::path::Path, args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["--db", "sqlite://docket.db", "--json"])
        .args(args)
        .env("DOCKET_ACTOR", "verifier.test")
        .current_dir(dir)
        .output()
        .expect("docket runs");
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e})"))
}

#[test]
fn the_documents_own_checks_accept_the_programs_proofs_and_reject_altered_ones() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/ledger.md")).expect("doc");
    let inclusion = python_after(&doc, "## Checking an inclusion proof");
    let consistency = python_after(&doc, "## Checking a consistency proof");
    assert!(inclusion.contains("def root_from_inclusion") && consistency.contains("def consistent"));

    let tmp = tempfile::tempdir().expect("dir");
    let dir = tmp.path();
    docket(dir, &["init"]);
    let synth = Command::new(env!("CARGO_BIN_EXE_docket"))
        .args(["synth", "--cases", "40", "--seed", "3", "--as-of", "2026-11-01", "--out", "data"])
        .current_dir(dir)
        .output()
        .expect("synth");
    assert!(synth.status.success());
    docket(dir, &["import", "data/persons.csv"]);
    docket(dir, &["import", "data/events.jsonl"]);
    // A read, a correction and a disclosure, so that every kind of leaf is there, and a
    // checkpoint after each step, so that there are several sizes to prove consistent.
    docket(dir, &["case", "show", "C000000003", "--purpose", "oversight"]);
    docket(dir, &["ledger", "checkpoint"]);
    docket(dir, &["person", "correct", "P000000002", "--set", "given_names=Corrected", "--reason", "typo"]);
    docket(dir, &["ledger", "checkpoint"]);
    docket(
        dir,
        &[
            "disclose",
            "P000000002",
            "--recipient",
            "Counsel",
            "--address",
            "1 Main St",
            "--purpose",
            "routine use 7: counsel",
            "--out",
            "packet.json",
        ],
    );
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docket-policy/policies/every-final-order-alike.cedar");
    std::fs::copy(shipped, dir.join("policy.cedar")).expect("policy file");
    docket(dir, &["policy", "adopt", "policy.cedar", "--effective", "2026-11-01T00:00:00Z"]);
    docket(dir, &["ledger", "checkpoint"]);

    let first_event = std::fs::read_to_string(dir.join("data/events.jsonl")).expect("events");
    let event_id =
        serde_json::from_str::<Value>(first_event.lines().next().expect("a line")).expect("json")["event_id"]
            .as_str()
            .expect("an event id")
            .to_owned();
    let mut proofs = Vec::new();
    for leaf in [event_id.as_str(), "read/1", "person/P000000002/1", "person/P000000002/2", "disclosure/1", "policy/1"]
    {
        let p = docket(dir, &["ledger", "prove", leaf, "--purpose", "oversight"]);
        proofs.push(p["proof"].clone());
    }
    // The empty tree's checkpoint (signed at `init`) is a prefix of every tree, with no proof.
    let checkpoints: Vec<Value> = docket(dir, &["ledger", "checkpoints"])["checkpoints"]
        .as_array()
        .expect("list")
        .iter()
        .filter(|c| c["tree_size"] != 0)
        .cloned()
        .collect();
    assert!(checkpoints.len() >= 4, "{checkpoints:?}");
    let mut pairs = Vec::new();
    for (i, old) in checkpoints.iter().enumerate() {
        for new in &checkpoints[i..] {
            let (o, n) = (old["tree_size"].as_u64().expect("size"), new["tree_size"].as_u64().expect("size"));
            let c = docket(dir, &["ledger", "consistency", &o.to_string(), &n.to_string()]);
            pairs.push(json!({"old": old, "new": new, "proof": c}));
        }
    }

    let script = format!(
        "{inclusion}\n{consistency}\n{}",
        r#"
import base64, json, sys
d = lambda s: base64.b64decode(s)
def body(note):
    origin, size, root = note.split("\n")[:3]
    return int(size), d(root)
given = json.load(sys.stdin)
for p in given["proofs"]:
    size, root = body(p["checkpoint"])
    assert size == p["tree_size"], "the checkpoint is of the proof's size"
    leaf = d(p["leaf"])
    assert leaf.startswith(b"docket-leaf/1 "), leaf[:20]
    assert H(b"\x00" + leaf) == d(p["leaf_hash"])
    if leaf.startswith(b"docket-leaf/1 policy\n"):
        # The policy leaf's fields, in the order docs/ledger.md gives them.
        fields = json.loads(leaf.split(b"\n", 2)[2])
        assert list(fields) == ["policy_id", "version", "kind", "effective_at", "sha256", "adopted_by", "adopted_at", "text"], list(fields)
        assert hashlib.sha256(fields["text"].encode()).hexdigest() == fields["sha256"]
    path = [d(h) for h in p["path"]]
    assert root_from_inclusion(leaf, p["leaf_index"], size, path) == root, "inclusion"
    # Altered: another leaf, or a hash of the path changed, does not reach the root.
    assert root_from_inclusion(leaf + b"x", p["leaf_index"], size, path) != root
    if path:
        bad = [path[0][:-1] + bytes([path[0][-1] ^ 1])] + path[1:]
        assert root_from_inclusion(leaf, p["leaf_index"], size, bad) != root
checked = 0
for pair in given["pairs"]:
    o_size, o_root = body(pair["old"]["note"])
    n_size, n_root = body(pair["new"]["note"])
    c = pair["proof"]
    assert (c["old_size"], c["new_size"]) == (o_size, n_size)
    assert d(c["old_root"]) == o_root and d(c["new_root"]) == n_root, "roots are the checkpoints'"
    proof = [d(h) for h in c["proof"]]
    assert consistent(o_size, n_size, o_root, n_root, proof), (o_size, n_size)
    if o_size < n_size:
        assert not consistent(o_size, n_size, o_root, H(n_root), proof), "another new root"
        if proof:
            bad = proof[:-1] + [H(proof[-1])]
            assert not consistent(o_size, n_size, o_root, n_root, bad), "an altered proof"
    checked += 1
print(json.dumps({"proofs": len(given["proofs"]), "pairs": checked}))
"#
    );
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed to run docs/ledger.md's own checks");
    let input = json!({"proofs": proofs, "pairs": pairs}).to_string();
    child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write");
    let out = child.wait_with_output().expect("python3 runs");
    assert!(out.status.success(), "the document's checks failed:\n{}", String::from_utf8_lossy(&out.stderr));
    let counted: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(counted["proofs"], 6);
    assert_eq!(counted["pairs"].as_u64(), Some(pairs.len() as u64));
}
