//! `notetag eval --plot`: the SVG heatmap agrees with the report it draws.

use std::process::Command;

fn notetag(args: &[&std::ffi::OsStr]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_notetag")).args(args).output().unwrap()
}

#[test]
fn eval_plot_writes_one_cell_per_confusion_entry() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("gold.jsonl");
    let rows = [
        ("gm friends, coffee and a long walk", "personal"),
        ("The Fed held rates and yields slipped", "trade_finance"),
        ("New GPU and open source AI model released", "tech"),
        ("Foreign ministers meet for ceasefire talks", "geopolitics"),
        ("Stocks rallied after strong earnings", "trade_finance"),
        ("happy birthday to my sister", "personal"),
    ];
    let text: String = rows
        .iter()
        .map(|(t, l)| format!("{}\n", serde_json::json!({"text": t, "labels": [l]})))
        .collect();
    std::fs::write(&data, text).unwrap();
    let svg_path = dir.path().join("cm.svg");
    let out = notetag(&[
        "eval".as_ref(),
        "--input".as_ref(),
        data.as_os_str(),
        "--json".as_ref(),
        "--plot".as_ref(),
        svg_path.as_os_str(),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let confusion: Vec<u64> = report["confusion"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r.as_array().unwrap().iter().map(|v| v.as_u64().unwrap()))
        .collect();
    assert_eq!(confusion.len(), 16);
    assert_eq!(confusion.iter().sum::<u64>(), rows.len() as u64);

    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\"") && svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches('<').count(), svg.matches('>').count());
    assert_eq!(svg.matches("<rect class=\"cell\"").count(), 16);
    let counts: Vec<u64> = svg
        .split("<text class=\"count\"")
        .skip(1)
        .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].parse().unwrap())
        .collect();
    assert_eq!(counts, confusion);
    for l in ["geopolitics", "personal", "tech", "trade_finance"] {
        assert_eq!(
            svg.matches(&format!(">{l}</text>")).count(),
            2,
            "{l} as row and column label"
        );
    }
    assert!(svg.contains(&format!("default model on {}", data.display())));
}

#[test]
fn eval_plot_into_a_missing_folder_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("gold.jsonl");
    std::fs::write(&data, "{\"text\": \"gm\", \"labels\": [\"personal\"]}\n").unwrap();
    let svg_path = dir.path().join("no/such/dir/cm.svg");
    let out = notetag(&[
        "eval".as_ref(),
        "--input".as_ref(),
        data.as_os_str(),
        "--plot".as_ref(),
        svg_path.as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no/such/dir/cm.svg"), "{err}");
}
