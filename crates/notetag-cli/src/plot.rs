//! `notetag eval --plot FILE.svg`: the confusion matrix as an SVG heatmap, written
//! by hand (no plotting dependency). Rows are gold primary labels, columns predicted
//! ones; each cell shows its count and its share of the gold row, and its colour
//! grows darker with that share, so the diagonal reads as per-label recall.

use std::fmt::Write;

use notetag::Report;

const CELL_H: f64 = 56.0;
const CHAR_W: f64 = 7.6;
const FONT: &str = "font-family=\"Helvetica, Arial, sans-serif\"";

/// Escape text for XML content and attribute values.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// From almost white (share 0) to deep blue (share 1).
fn colour(share: f64) -> String {
    let s = share.clamp(0.0, 1.0);
    let (from, to) = ([247.0, 251.0, 255.0], [8.0, 48.0, 107.0]);
    let c: Vec<u8> = from
        .iter()
        .zip(to)
        .map(|(a, b)| (a + (b - a) * s).round() as u8)
        .collect();
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// Where the grid sits: its left and top edges and the width of a cell.
struct Layout {
    left: f64,
    top: f64,
    cell_w: f64,
    n: usize,
}

/// The confusion matrix of `report` as a standalone SVG document.
pub fn confusion_svg(report: &Report, title: &str) -> String {
    let labels = &report.labels;
    let n = labels.len();
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(0) as f64;
    let g = Layout {
        left: longest * CHAR_W + 48.0,
        top: 92.0,
        cell_w: (longest * CHAR_W + 16.0).max(72.0),
        n,
    };
    let width = (g.left + g.cell_w * n as f64 + 24.0).max(title.chars().count() as f64 * 8.0 + 32.0);
    let height = g.top + CELL_H * n as f64 + 64.0;

    let mut s = String::new();
    let _ = writeln!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {width:.0} {height:.0}\" {FONT} font-size=\"13\">"
    );
    let _ = writeln!(s, "<title>{}</title>", xml(title));
    let _ = writeln!(s, "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
    let _ = writeln!(
        s,
        "<text x=\"16\" y=\"26\" font-size=\"16\" font-weight=\"bold\">{}</text>",
        xml(title)
    );
    axes(&mut s, &g, labels);
    for (i, (gold, row)) in labels.iter().zip(&report.confusion).enumerate() {
        grid_row(&mut s, &g, i, gold, row, labels);
    }
    let _ = writeln!(
        s,
        "<text x=\"16\" y=\"{:.1}\" fill=\"#444444\">{} rows with a gold topic · accuracy {:.3} · macro-F1 {:.3} · \
         shade = share of the gold row</text>",
        g.top + CELL_H * n as f64 + 36.0,
        report.n_with_primary,
        report.accuracy,
        report.macro_f1
    );
    s.push_str("</svg>\n");
    s
}

/// The axis titles and the column labels.
fn axes(s: &mut String, g: &Layout, labels: &[String]) {
    let grid_mid_x = g.left + g.cell_w * g.n as f64 / 2.0;
    let _ = writeln!(
        s,
        "<text x=\"{grid_mid_x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-weight=\"bold\">predicted</text>",
        g.top - 34.0
    );
    let grid_mid_y = g.top + CELL_H * g.n as f64 / 2.0;
    let _ = writeln!(
        s,
        "<text x=\"18\" y=\"{grid_mid_y:.1}\" text-anchor=\"middle\" font-weight=\"bold\" \
         transform=\"rotate(-90 18 {grid_mid_y:.1})\">gold</text>"
    );
    for (j, l) in labels.iter().enumerate() {
        let x = g.left + g.cell_w * (j as f64 + 0.5);
        let _ = writeln!(
            s,
            "<text class=\"col-label\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            g.top - 10.0,
            xml(l)
        );
    }
}

/// Row `i` of the grid: the gold label `gold`, then one cell per predicted label.
fn grid_row(s: &mut String, g: &Layout, i: usize, gold: &str, row: &[usize], labels: &[String]) {
    let (left, cell_w) = (g.left, g.cell_w);
    let y = g.top + CELL_H * i as f64;
    let _ = writeln!(
        s,
        "<text class=\"row-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
        left - 10.0,
        y + CELL_H / 2.0 + 4.0,
        xml(gold)
    );
    let total: usize = row.iter().sum();
    for (j, (&count, pred)) in row.iter().zip(labels).enumerate() {
        let share = if total > 0 { count as f64 / total as f64 } else { 0.0 };
        let x = left + cell_w * j as f64;
        let ink = if share > 0.5 { "#ffffff" } else { "#1a1a1a" };
        let _ = writeln!(
            s,
            "<rect class=\"cell\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell_w:.1}\" height=\"{CELL_H:.1}\" \
             fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"2\"><title>gold {}, predicted {}: {count} \
             ({:.1}% of the row)</title></rect>",
            colour(share),
            xml(gold),
            xml(pred),
            share * 100.0
        );
        let cx = x + cell_w / 2.0;
        let _ = writeln!(
            s,
            "<text class=\"count\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"15\" \
             fill=\"{ink}\">{count}</text>",
            y + CELL_H / 2.0
        );
        let _ = writeln!(
            s,
            "<text class=\"share\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"11\" \
             fill=\"{ink}\">{:.1}%</text>",
            y + CELL_H / 2.0 + 16.0,
            share * 100.0
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(labels: &[&str], confusion: Vec<Vec<usize>>) -> Report {
        let n: usize = confusion.iter().flatten().sum();
        Report {
            labels: labels.iter().map(|s| s.to_string()).collect(),
            n,
            n_with_primary: n,
            accuracy: 0.5,
            macro_f1: 0.5,
            micro_f1: 0.5,
            per_label: Vec::new(),
            confusion,
            subset_accuracy: 0.0,
            hamming_loss: 0.0,
            set_micro_f1: 0.0,
            ece: 0.0,
            abstention: Default::default(),
        }
    }

    /// Check that every tag is closed in order; return the element names seen.
    fn elements(svg: &str) -> Vec<String> {
        let mut stack: Vec<String> = Vec::new();
        let mut seen = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let end = rest[start..].find('>').expect("unclosed <") + start;
            let tag = &rest[start + 1..end];
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "mismatched </{name}>");
            } else {
                let name = tag.split_whitespace().next().unwrap().trim_end_matches('/').to_string();
                seen.push(name.clone());
                if !tag.ends_with('/') {
                    stack.push(name);
                }
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        seen
    }

    #[test]
    fn one_cell_per_entry_with_its_count() {
        let r = report(&["a", "b", "c"], vec![vec![5, 1, 0], vec![2, 7, 3], vec![0, 0, 11]]);
        let svg = confusion_svg(&r, "test");
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.trim_end().ends_with("</svg>"));
        let names = elements(&svg);
        assert_eq!(names.iter().filter(|n| *n == "svg").count(), 1);
        assert_eq!(svg.matches("<rect class=\"cell\"").count(), 9);
        let counts: Vec<usize> = svg
            .split("<text class=\"count\"")
            .skip(1)
            .map(|t| t[t.find('>').unwrap() + 1..t.find("</text>").unwrap()].parse().unwrap())
            .collect();
        assert_eq!(counts, r.confusion.concat());
        // Shares are of the gold row: 7 of 12 on the diagonal of row b.
        assert!(svg.contains("gold b, predicted b: 7 (58.3% of the row)"), "{svg}");
        // The darkest cell is a full row (c, c), the lightest an empty one.
        assert!(svg.contains(&format!("fill=\"{}\"", colour(1.0))));
        assert_eq!(colour(0.0), "#f7fbff");
        assert_eq!(colour(1.0), "#08306b");
    }

    #[test]
    fn labels_and_title_are_escaped() {
        let r = report(&["a<b", "x&y\"z"], vec![vec![1, 0], vec![0, 0]]);
        let svg = confusion_svg(&r, "model <m> & \u{1}data");
        elements(&svg);
        assert!(svg.contains("a&lt;b") && svg.contains("x&amp;y&quot;z"));
        assert!(svg.contains("model &lt;m&gt; &amp; \u{fffd}data"));
        assert!(!svg.contains("a<b"));
        // An empty gold row is all zeros, not NaN.
        assert!(svg.contains("gold x&amp;y&quot;z, predicted a&lt;b: 0 (0.0% of the row)"));
        assert!(!svg.contains("NaN"));
    }
}
