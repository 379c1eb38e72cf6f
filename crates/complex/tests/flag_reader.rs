//! flagser's `.flag` format: reading flagser's own test graphs, malformed input, round trips.

use nnph_complex::flag::{MAX_LINE_BYTES, read_flag, write_flag};
use nnph_complex::{Edge, ErrorKind, FilteredGraph};
use proptest::prelude::*;

use crate::common::{FLAGSER_BETTI, read_flagser};

#[test]
fn reads_every_flagser_test_graph() {
    for (name, _) in FLAGSER_BETTI {
        let text = std::fs::read_to_string(crate::common::flagser_path(name)).unwrap();
        let g = read_flagser(name);
        // Expected counts straight from the text: the first data line lists the vertices, every
        // later data line is an edge.
        let data: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("dim"))
            .collect();
        assert_eq!(g.vertex_count(), data[0].split_whitespace().count(), "{name}");
        assert_eq!(g.edge_count(), data.len() - 1, "{name}");
    }
}

#[test]
fn reads_values_and_headers_with_and_without_colon() {
    let g = read_flagser("d3");
    assert_eq!(g.vertex_values(), &[0.715, 0.9, 0.025]);
    assert_eq!(g.edges()[0], Edge { source: 0, target: 1, value: 1.375 });
    assert_eq!(g.edges()[5], Edge { source: 2, target: 1, value: 1.205 });
    let a = read_flagser("a");
    assert_eq!(a.vertex_count(), 5);
    assert_eq!(a.edges()[1], Edge { source: 1, target: 0, value: 0.0 });
}

#[test]
fn complete_digraph_files_are_complete() {
    for (name, n) in [("d2", 2), ("d3", 3), ("d4", 4), ("d5", 5), ("d7", 7), ("d10", 10)] {
        let g = read_flagser(name);
        assert_eq!(g.vertex_count(), n);
        let mut pairs: Vec<(u32, u32)> = g.edges().iter().map(|e| (e.source, e.target)).collect();
        pairs.sort_unstable();
        pairs.dedup();
        assert_eq!(pairs.len(), n * (n - 1), "{name}");
    }
}

#[test]
fn comments_blank_lines_crlf_and_missing_values() {
    let text = "# a comment\r\n\r\ndim 0:\r\n0.5 0 \r\n  # indented comment\n1\ndim 1:\n0 1\n1 2 3.5\n\n2 0\n";
    let g = read_flag(text.as_bytes()).unwrap();
    assert_eq!(g.vertex_values(), &[0.5, 0.0, 1.0]);
    // A missing edge value is the larger vertex value.
    assert_eq!(g.edges()[0].value, 0.5);
    assert_eq!(g.edges()[1].value, 3.5);
    assert_eq!(g.edges()[2].value, 1.0);
}

#[test]
fn higher_sections_are_skipped() {
    let text = "dim 0:\n0 0 0\ndim 1:\n0 1 1\ndim 2:\n0 1 2 not parsed\ndim 3:\nwhatever\n";
    let g = read_flag(text.as_bytes()).unwrap();
    assert_eq!((g.vertex_count(), g.edge_count()), (3, 1));
}

#[test]
fn empty_inputs() {
    for text in ["", "\n\n", "# only a comment\n", "dim 0:\n", "dim 0:\ndim 1:\n"] {
        let g = read_flag(text.as_bytes()).unwrap();
        assert_eq!((g.vertex_count(), g.edge_count()), (0, 0), "{text:?}");
    }
}

fn parse_error_line(text: &[u8]) -> usize {
    match read_flag(text).map_err(|e| (e.to_string(), e)) {
        Err((_, e)) => match e.kind() {
            ErrorKind::Parse { line, .. } => *line,
            other => panic!("expected a parse error for {text:?}, got {other:?}"),
        },
        Ok(g) => panic!("expected an error for {:?}, got {g:?}", String::from_utf8_lossy(text)),
    }
}

#[test]
fn malformed_inputs_report_the_line() {
    let cases: &[(&str, usize)] = &[
        ("0 0 0\n", 1),                          // content before `dim 0`
        ("dim 1:\n0 1\n", 1),                    // `dim 1` first
        ("dim 0:\n0 0\ndim 0:\n", 3),            // repeated section
        ("dim 0:\n0 0\ndim 2:\ndim 1:\n", 4),    // out of order
        ("dim x:\n", 1),                         // bad header
        ("dim -1\n", 1),                         // bad header
        ("dim 0:\n0 zero\n", 2),                 // bad vertex value
        ("dim 0:\n0 nan\n", 2),                  // NaN
        ("dim 0:\n0 inf\n", 2),                  // infinite
        ("dim 0:\n0 0\ndim 1:\n0\n", 4),         // one field
        ("dim 0:\n0 0\ndim 1:\n0 1 2 3\n", 4),   // four fields
        ("dim 0:\n0 0\ndim 1:\n0 2 1\n", 4),     // vertex out of range
        ("dim 0:\n0 0\ndim 1:\n-1 0 1\n", 4),    // negative vertex
        ("dim 0:\n0 0\ndim 1:\n0 1.5 1\n", 4),   // fractional vertex
        ("dim 0:\n0 0\ndim 1:\n1 1 1\n", 4),     // self-loop
        ("dim 0:\n0 0\ndim 1:\n0 1 -inf\n", 4),  // infinite edge value
        ("dim 0:\n0 2\ndim 1:\n\n0 1 1\n", 5),   // edge below its vertex value
        ("dim 0:\n0 0\ndim 1:\n0 1 1e400\n", 4), // overflow to infinity
    ];
    for &(text, line) in cases {
        assert_eq!(parse_error_line(text.as_bytes()), line, "{text:?}");
    }
    // Invalid UTF-8.
    assert_eq!(parse_error_line(b"dim 0:\n0 \xff\n"), 2);
}

#[test]
fn overlong_lines_are_rejected() {
    let mut text = b"dim 0:\n".to_vec();
    text.extend(std::iter::repeat_n(b'0', MAX_LINE_BYTES + 10));
    text.push(b'\n');
    assert_eq!(parse_error_line(&text), 2);
    // Without a final newline too.
    text.pop();
    assert_eq!(parse_error_line(&text), 2);
    // A line of exactly the maximum length is fine.
    let mut ok = b"dim 0:\n".to_vec();
    ok.extend(std::iter::repeat_n(b' ', MAX_LINE_BYTES - 1));
    ok.extend(b"0\n");
    assert_eq!(read_flag(ok.as_slice()).unwrap().vertex_count(), 1);
}

#[test]
fn errors_display_the_line() {
    let e = read_flag("dim 0:\n0 0\ndim 1:\n0 5\n".as_bytes()).unwrap_err();
    assert!(e.to_string().starts_with("line 4:"), "{e}");
}

#[test]
fn io_errors_are_reported() {
    struct Failing;
    impl std::io::Read for Failing {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    let e = read_flag(Failing).unwrap_err();
    assert!(matches!(e.kind(), ErrorKind::Io(_)));
    assert!(std::error::Error::source(&e).is_some());
}

#[test]
fn round_trip_of_flagser_graphs() {
    for (name, _) in FLAGSER_BETTI {
        let g = read_flagser(name);
        let mut out = Vec::new();
        write_flag(&g, &mut out).unwrap();
        assert_eq!(read_flag(out.as_slice()).unwrap(), g, "{name}");
    }
}

fn arb_graph() -> impl Strategy<Value = FilteredGraph> {
    (0usize..8).prop_flat_map(|n| {
        let values = prop::collection::vec(prop_oneof![Just(0.0), -1e3..1e3f64, Just(1e-300)], n);
        let edges = if n < 2 {
            Just(Vec::new()).boxed()
        } else {
            prop::collection::vec((0..n as u32, 0..n as u32, 0.0..1e6f64), 0..20).boxed()
        };
        (values, edges).prop_map(|(values, edges)| {
            let edges = edges
                .into_iter()
                .filter(|&(s, t, _)| s != t)
                .map(|(s, t, v)| Edge {
                    source: s,
                    target: t,
                    value: v + values[s as usize].max(values[t as usize]),
                })
                .collect();
            FilteredGraph::try_new(values, edges).unwrap()
        })
    })
}

/// Lines made of tokens that the reader treats specially, to reach deep into the parser.
fn arb_flag_like_text() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("dim"),
        Just("dim 0:"),
        Just("dim 1:"),
        Just("dim 2"),
        Just(":"),
        Just("0"),
        Just("1"),
        Just("2"),
        Just("-1"),
        Just("0.5"),
        Just("1e309"),
        Just("nan"),
        Just("#"),
        Just(" "),
        Just("\t"),
        Just("\n"),
        Just("\r\n"),
        Just("4294967296"),
        Just("é"),
    ];
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = read_flag(bytes.as_slice());
    }

    #[test]
    fn never_panics_on_flag_like_text(text in arb_flag_like_text()) {
        if let Ok(g) = read_flag(text.as_bytes()) {
            // Whatever it accepts is a valid graph that survives a round trip.
            let mut out = Vec::new();
            write_flag(&g, &mut out).unwrap();
            prop_assert_eq!(read_flag(out.as_slice()).unwrap(), g);
        }
    }

    #[test]
    fn write_then_read_is_the_identity(g in arb_graph()) {
        let mut out = Vec::new();
        write_flag(&g, &mut out).unwrap();
        prop_assert_eq!(read_flag(out.as_slice()).unwrap(), g);
    }
}
