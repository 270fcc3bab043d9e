//! The reserved words of the language, for suggestions in diagnostics.
//! A test checks this list against the grammar's `keyword` rule.

/// Every property keyword (reserved: none can be a name).
pub const PROPERTY_KEYWORDS: &[&str] = &[
    "frame_rate",
    "sample_rate",
    "picture_start",
    "release",
    "due",
    "pan_law",
    "role",
    "layout",
    "pan",
    "file",
    "at",
    "gain",
    "fade",
    "trim",
    "tone",
    "noise",
    "silence",
    "type",
    "source",
    "usage",
    "writer",
    "publisher",
    "artist",
    "label",
    "isrc",
    "iswc",
    "kind",
    "cue",
    "licensor",
    "territory",
    "media",
    "term",
    "status",
    "from",
    "format",
    "spec",
    "normalize",
    "track",
    "channels",
    "mask",
    "matrix",
    "default",
    "rate",
    "depth",
    "loudness",
    "true_peak",
    "sample_peak",
    "lra",
    "limiter",
    "dialogue_gate",
    "match",
    "reel",
    "start",
    "end",
    "position",
    "path",
    "bed",
    "objects",
    "deny",
    "warn",
    "allow",
];

/// The closest of `candidates` to `word`, if close enough to suggest.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, candidate)| *score > 0.8 && *candidate != word)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use pest::Parser;

    use super::*;
    use crate::syntax::grammar::{Rule, SndtrkParser};

    #[test]
    fn every_listed_keyword_is_reserved_by_the_grammar() {
        for word in PROPERTY_KEYWORDS {
            let parsed = SndtrkParser::parse(Rule::keyword, word);
            assert!(parsed.is_ok(), "{word} is not a keyword in the grammar");
        }
    }

    #[test]
    fn the_grammar_reserves_no_other_word() {
        let grammar = include_str!("../../grammar/sndtrk.pest");
        let start = grammar.find("keyword = @{").expect("keyword rule");
        let end = start + grammar[start..].find("~ !name_char").expect("rule end");
        let quoted: Vec<&str> = grammar[start..end].split('"').skip(1).step_by(2).collect();
        assert_eq!(quoted.len(), PROPERTY_KEYWORDS.len());
        for word in quoted {
            assert!(
                PROPERTY_KEYWORDS.contains(&word),
                "{word} missing from the list"
            );
        }
    }

    #[test]
    fn the_editor_grammar_highlights_every_property_word() {
        let grammar: serde_json::Value =
            serde_json::from_str(include_str!("../../editors/sndtrk.tmLanguage.json"))
                .expect("the TextMate grammar is JSON");
        let patterns = grammar["repository"]["values"]["patterns"]
            .as_array()
            .expect("value patterns");
        let properties = patterns
            .iter()
            .find(|pattern| pattern["name"] == "keyword.other.property.sndtrk")
            .and_then(|pattern| pattern["match"].as_str())
            .expect("the property word pattern");
        let start = properties.find("(?:").expect("an alternation") + 3;
        let end = start + properties[start..].find(')').expect("its end");
        let listed: Vec<&str> = properties[start..end].split('|').collect();
        assert_eq!(listed.len(), PROPERTY_KEYWORDS.len());
        for word in PROPERTY_KEYWORDS {
            assert!(listed.contains(word), "{word} is not highlighted");
        }
    }

    #[test]
    fn suggests_close_words_only() {
        assert_eq!(
            closest("gian", PROPERTY_KEYWORDS.iter().copied()),
            Some("gain")
        );
        assert_eq!(closest("xyzzy", PROPERTY_KEYWORDS.iter().copied()), None);
    }
}
