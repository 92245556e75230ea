//! Coverage: every paragraph of the policy and what encodes it.
//!
//! A sentence that promises money or sets a number (it holds a digit, or words such as 给予, 奖励, 补助,
//! 资助, 贴息, 减免) must be cited by a rule, target, parameter or principle, or carry a `note` block
//! saying why nothing computes it. Anything else is reported as not computable. When the pack keeps the
//! document as published (`source.txt`), every sentence of it must still be in policy.md.

use crate::ir::Pack;
use crate::pack::literate::{Document, clause_number, sentences};
use serde::Serialize;

/// What encodes a sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Encoding {
    /// A rule, by id.
    Rule(String),
    /// A target, by id.
    Target(String),
    /// A parameter, by name.
    Param(String),
    /// A principle, by id.
    Principle(String),
    /// A note's text: why nothing computes the sentence, or where it is encoded.
    Note(String),
}

/// One sentence and what encodes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentenceCoverage {
    /// The sentence.
    pub text: String,
    /// Whether it promises money or sets a number, and so must be encoded.
    pub quantifiable: bool,
    /// What encodes it.
    pub encoded_by: Vec<Encoding>,
}

impl SentenceCoverage {
    /// A sentence that must be encoded and is not.
    pub fn missing(&self) -> bool {
        self.quantifiable && self.encoded_by.is_empty()
    }
}

/// One paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParagraphCoverage {
    /// The clause it belongs to (（六）, 附件2), or the nearest heading.
    pub clause: String,
    /// 1-based line in policy.md.
    pub line: usize,
    /// Its sentences.
    pub sentences: Vec<SentenceCoverage>,
}

/// The coverage of a pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Every paragraph, in order.
    pub paragraphs: Vec<ParagraphCoverage>,
    /// Sentences of the published document (`source.txt`) that policy.md lost.
    pub lost_from_source: Vec<String>,
}

impl Coverage {
    /// Sentences that must be encoded and are not, with their paragraph.
    pub fn missing(&self) -> impl Iterator<Item = (&ParagraphCoverage, &SentenceCoverage)> {
        self.paragraphs
            .iter()
            .flat_map(|p| p.sentences.iter().map(move |s| (p, s)))
            .filter(|(_, s)| s.missing())
    }

    /// Sentences that must be encoded, and how many are.
    pub fn counts(&self) -> (usize, usize) {
        let all = self.paragraphs.iter().flat_map(|p| &p.sentences);
        let quantifiable = all.clone().filter(|s| s.quantifiable).count();
        let encoded = all
            .filter(|s| s.quantifiable && !s.encoded_by.is_empty())
            .count();
        (quantifiable, encoded)
    }

    /// Whether nothing is missing and nothing was lost.
    pub fn complete(&self) -> bool {
        self.missing().next().is_none() && self.lost_from_source.is_empty()
    }
}

/// Words that make a sentence a promise of money even without a number.
const MONEY_WORDS: [&str; 12] = [
    "给予",
    "予以",
    "奖励",
    "补助",
    "奖补",
    "资助",
    "贴息",
    "减免",
    "扶持",
    "补贴",
    "资金支持",
    "专项支持",
];

/// Words that set a number without a digit (万名产业人才).
const NUMBER_WORDS: [&str; 5] = ["万名", "千万", "百亿", "千亿", "万亩"];

/// Whether a sentence promises money or sets a number.
pub fn quantifiable(sentence: &str) -> bool {
    sentence.chars().any(|c| c.is_ascii_digit())
        || MONEY_WORDS.iter().any(|w| sentence.contains(w))
        || NUMBER_WORDS.iter().any(|w| sentence.contains(w))
}

fn squeeze(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_end_matches(['。', '；', '！', '？'])
        .to_string()
}

/// Maps every paragraph of `doc` to the declarations of `pack` and the notes that cite its sentences.
pub fn coverage(doc: &Document, pack: &Pack, source: Option<&str>) -> Coverage {
    let mut cited: Vec<(String, Encoding)> = Vec::new();
    for r in &pack.rules {
        cited.push((squeeze(&r.citation.sentence), Encoding::Rule(r.id.clone())));
    }
    for t in &pack.targets {
        cited.push((
            squeeze(&t.citation.sentence),
            Encoding::Target(t.id.clone()),
        ));
    }
    for p in &pack.params {
        if let Some(c) = &p.citation {
            cited.push((squeeze(&c.sentence), Encoding::Param(p.name.clone())));
        }
    }
    for p in &pack.principles {
        cited.push((
            squeeze(&p.citation.sentence),
            Encoding::Principle(p.id.clone()),
        ));
    }
    for n in &doc.notes {
        if let Some(s) = &n.sentence {
            cited.push((squeeze(s), Encoding::Note(n.text.trim().to_string())));
        }
    }

    let paragraphs = doc
        .paragraphs
        .iter()
        .map(|p| ParagraphCoverage {
            clause: p
                .headings
                .iter()
                .rev()
                .find_map(|h| clause_number(h).map(str::to_string))
                .or_else(|| p.headings.last().cloned())
                .unwrap_or_default(),
            line: p.line,
            sentences: sentences(&p.text)
                .into_iter()
                .map(|s| {
                    let plain = squeeze(s);
                    SentenceCoverage {
                        text: s.to_string(),
                        quantifiable: quantifiable(s),
                        encoded_by: cited
                            .iter()
                            .filter(|(c, _)| !c.is_empty() && plain.contains(c.as_str()))
                            .map(|(_, e)| e.clone())
                            .collect(),
                    }
                })
                .collect(),
        })
        .collect();

    let lost_from_source = match source {
        None => Vec::new(),
        Some(text) => {
            let prose = squeeze(&doc.prose);
            text.split(['\n', '\t'])
                .flat_map(sentences)
                .map(squeeze)
                .filter(|s| !s.is_empty() && !prose.contains(s.as_str()))
                .collect()
        }
    };
    Coverage {
        paragraphs,
        lost_from_source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_numbers_must_be_encoded() {
        assert!(quantifiable("给予最高1000万元奖补；"));
        // Money without a number, and numbers in words.
        assert!(quantifiable("通过优化要素、专项扶持等政策倾斜"));
        assert!(quantifiable("依托企业服务平台培训补贴券服务开展专业培训；"));
        assert!(quantifiable("开展万名产业人才专业技术提升工程"));
        // Support that is no money.
        assert!(!quantifiable("每年盘活的低效用地，优先支持工业发展。"));
        assert!(quantifiable("可按“一事一议”方式给予重点支持。"));
        assert!(!quantifiable("以习近平新时代中国特色社会主义思想为指导。"));
    }
}
