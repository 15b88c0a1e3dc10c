//! The disclosure packet's format is fixed per version: for the same record, disclosure and
//! instant, the bytes (and so the SHA-256 the accounting records) are those of
//! `tests/data/packet-v1.json`, on both databases, whatever the views or the command line
//! render. A deliberate change of format is a new version; `UPDATE_EXPECT=1` rewrites the
//! file, and the diff is to be reviewed as a change of the documented format.

mod common;

use common::{Db, PERSONS, import, line};
use docket_app::DisclosureRequest;
use docket_app::delivery::PacketBuffer;
use docket_core::ActorId;

on_both!(a_packet_is_byte_for_byte_its_documented_format);

fn a_packet_is_byte_for_byte_its_documented_format(db: &Db) {
    let app = db.app("2026-12-01T12:00:00Z");
    let tz = r#","time_zone":"America/Chicago""#;
    let events = [
        line(1, "C-7", "case_opened", "2025-05-20T10:00:00-05:00", &format!(r#","person_id":"P-1"{tz}"#)),
        line(2, "C-7", "notice_to_appear_filed", "2025-06-01T10:00:00-05:00", ""),
        line(3, "C-7", "decision_issued", "2026-03-02T10:00:00-06:00", r#","outcome":"removal_ordered""#),
        line(4, "C-7", "appeal_filed", "2026-03-20T10:00:00-05:00", r#","appellant":"respondent""#),
    ]
    .join("\n");
    import(&app, PERSONS, &events);
    let request = DisclosureRequest {
        person_id: "P-1".into(),
        recipient: "Counsel of record".into(),
        address: "1 Court Square\nChicago, IL 60602".into(),
        purpose: "counsel's request for the record".into(),
        nature: "case timelines, current legal state and deadlines".into(),
        law_enforcement: false,
    };
    let mut delivered = PacketBuffer::new();
    let d = app.disclose(&ActorId::parse("officer.a").expect("actor"), &request, &mut delivered).expect("disclosed");
    let packet = delivered.released().expect("released");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/packet-v1.json");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        std::fs::write(&path, packet).expect("write the expected packet");
    }
    let want = std::fs::read(&path).expect("tests/data/packet-v1.json");
    assert!(packet == want, "the packet differs from its documented format:\n{}", String::from_utf8_lossy(packet));
    assert_eq!(d.packet_sha256, docket_app::packet::sha256_hex(&want));
}
