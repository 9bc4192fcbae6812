//! Tag notes with the embedded default model: no download, no training.
//!
//! `cargo run --release -p notetag-examples --example quickstart -- "gm nostr" "Fed holds rates"`
//! (with no arguments it tags three notes of its own). Prints one line per note:
//! primary topic, every topic above its threshold, the note.

fn main() -> notetag::Result<()> {
    let clf = notetag::Classifier::default_model()?;
    let mut notes: Vec<String> = std::env::args().skip(1).collect();
    if notes.is_empty() {
        let own = [
            "gm nostr ☀️ coffee first",
            "Fed holds rates; yields slip",
            "new GPU runs the model locally",
        ];
        notes = own.map(String::from).to_vec();
    }
    for note in &notes {
        let p = clf.predict(note);
        println!("{}\t{}\t{note}", p.primary(), p.labels().collect::<Vec<_>>().join(","));
    }
    Ok(())
}
