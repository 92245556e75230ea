//! `policy.md`: the policy's own text with rule blocks under the sentences they implement.
//!
//! Each fenced block tagged `rule` is cut out with its byte offset, so diagnostics point into policy.md,
//! and with the citation it gets for free: the clause headings above it and the sentence right before it.
//! A block tagged `note` says, under a sentence, why nothing computes it (or where else it is encoded);
//! the coverage report reads notes and paragraphs.

use crate::syntax::ast::Span;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

/// Where a rule comes from in the policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Citation {
    /// The clause number, such as （六）, taken from the nearest heading.
    pub clause: String,
    /// The headings from the top down to the clause.
    pub headings: Vec<String>,
    /// The sentence the rule implements.
    pub sentence: String,
    /// 1-based line of the rule block in policy.md.
    pub line: usize,
}

/// A fenced `rule` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The block's text, exactly as in the file.
    pub text: String,
    /// Where that text sits in policy.md.
    pub span: Span,
    /// The headings above it, top first.
    pub headings: Vec<String>,
    /// The last sentence of the paragraph right before it under the same heading, if any.
    pub sentence: Option<String>,
    /// Whether the block sits indented, in a list or a quote, so its text is not the file's bytes.
    pub nested: bool,
}

/// A heading of the policy, kept to count clauses and to show the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 for `#`, 2 for `##` ...
    pub level: usize,
    /// The heading's text.
    pub text: String,
}

/// A paragraph of the policy text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// Its text.
    pub text: String,
    /// The headings above it, top first.
    pub headings: Vec<String>,
    /// 1-based line in policy.md.
    pub line: usize,
}

/// The policy split into headings and rule blocks.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// Every heading in order.
    pub headings: Vec<Heading>,
    /// Every `rule` block in order.
    pub blocks: Vec<Block>,
    /// Every `note` block in order: why a sentence is not computed, or where it is encoded.
    pub notes: Vec<Block>,
    /// Every paragraph in order.
    pub paragraphs: Vec<Paragraph>,
    /// The text of headings and paragraphs, without code: what an explicit `cite` must quote.
    pub prose: String,
    /// Headings, paragraphs, rule blocks and notes in the order they stand: how the document reads.
    pub parts: Vec<Part>,
}

/// One part of the document in reading order, as an index into its list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `headings[i]`
    Heading(usize),
    /// `paragraphs[i]`
    Paragraph(usize),
    /// `blocks[i]`
    Block(usize),
    /// `notes[i]`
    Note(usize),
}

impl Block {
    /// The 1-based line of policy.md where the block's text starts (the line after its fence):
    /// the line a rule's citation names.
    pub fn line(&self, text: &str) -> usize {
        text.get(..self.span.start)
            .map_or(0, |t| t.matches('\n').count())
            + 1
    }
}

impl Document {
    /// The clauses: headings numbered like （六）.
    pub fn clauses(&self) -> impl Iterator<Item = &str> {
        self.headings.iter().filter_map(|h| clause_number(&h.text))
    }
}

/// The info string that marks a block as rules.
pub const RULE_TAG: &str = "rule";
/// The info string that marks a block as a note on the sentence above it.
pub const NOTE_TAG: &str = "note";

/// Splits policy.md into headings and rule blocks.
pub fn read(text: &str) -> Document {
    let mut doc = Document::default();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut heading: Option<(usize, String)> = None;
    let mut paragraph: Option<String> = None;
    let mut last_paragraph: Option<String> = None;
    let mut block: Option<(Option<Span>, Vec<String>, String)> = None;
    let mut note = false;
    let mut paragraph_start = 0;

    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level_of(level), String::new()))
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, text)) = heading.take() {
                    let text = text.trim().to_string();
                    stack.retain(|(l, _)| *l < level);
                    stack.push((level, text.clone()));
                    doc.parts.push(Part::Heading(doc.headings.len()));
                    doc.headings.push(Heading { level, text });
                    last_paragraph = None;
                }
            }
            Event::Start(Tag::Paragraph) => {
                paragraph = Some(String::new());
                paragraph_start = range.start;
            }
            Event::End(TagEnd::Paragraph) => {
                if let Some(p) = &paragraph {
                    doc.parts.push(Part::Paragraph(doc.paragraphs.len()));
                    doc.paragraphs.push(Paragraph {
                        text: p.clone(),
                        headings: stack.iter().map(|(_, t)| t.clone()).collect(),
                        line: text[..paragraph_start].matches('\n').count() + 1,
                    });
                }
                last_paragraph = paragraph.take();
            }
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info)))
                if matches!(info.split_whitespace().next(), Some(RULE_TAG | NOTE_TAG)) =>
            {
                note = info.split_whitespace().next() == Some(NOTE_TAG);
                block = Some((
                    None,
                    stack.iter().map(|(_, t)| t.clone()).collect(),
                    String::new(),
                ));
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((span, headings, content)) = block.take() {
                    // An empty block has no text event: place it at the fence's end.
                    let span = span.unwrap_or(range.end..range.end);
                    let raw = &text[span.clone()];
                    let b = Block {
                        text: raw.to_string(),
                        nested: raw != content,
                        span,
                        headings,
                        sentence: last_paragraph.as_deref().and_then(last_sentence),
                    };
                    if note {
                        doc.parts.push(Part::Note(doc.notes.len()));
                        doc.notes.push(b);
                    } else {
                        doc.parts.push(Part::Block(doc.blocks.len()));
                        doc.blocks.push(b);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((span, _, content)) = &mut block {
                    let start = span.as_ref().map_or(range.start, |s| s.start);
                    *span = Some(start..range.end);
                    content.push_str(&t);
                } else if let Some((_, h)) = &mut heading {
                    h.push_str(&t);
                    doc.prose.push_str(&t);
                } else if let Some(p) = &mut paragraph {
                    p.push_str(&t);
                    doc.prose.push_str(&t);
                }
            }
            _ => {}
        }
    }
    doc
}

fn level_of(level: HeadingLevel) -> usize {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// The clause number a heading starts with: （六） in "（六）培育强链企业", 附件2 in "附件2 嘉兴市……".
pub fn clause_number(heading: &str) -> Option<&str> {
    if heading.starts_with("附件") {
        return heading.split_whitespace().next();
    }
    let rest = heading.strip_prefix('（')?;
    let end = rest.find('）')?;
    Some(&heading[..'（'.len_utf8() + end + '）'.len_utf8()])
}

/// The sentences of a paragraph, each with its closing 。；！？; a clause may end a sentence at ；.
pub fn sentences(paragraph: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in paragraph.char_indices() {
        if matches!(c, '。' | '；' | '！' | '？') {
            let end = i + c.len_utf8();
            out.push(paragraph[start..end].trim());
            start = end;
        }
    }
    out.push(paragraph[start..].trim());
    out.retain(|s| !s.is_empty());
    out
}

/// The clause's closing （责任单位：…） names departments, not a promise.
fn without_departments(paragraph: &str) -> &str {
    let p = paragraph.trim();
    for (open, close) in [("（责任单位", '）'), ("(责任单位", ')')] {
        if let Some(i) = p.rfind(open) {
            if p.ends_with(close) && i > 0 {
                return p[..i].trim_end();
            }
        }
    }
    p
}

/// The last sentence of a paragraph, leaving out its （责任单位：…）: what a block under it cites.
fn last_sentence(paragraph: &str) -> Option<String> {
    sentences(without_departments(paragraph))
        .last()
        .map(|s| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_keep_their_place_and_sentence() {
        let text = "# 意见\n## （六）培育强链企业\n实施计划。对小巨人给予150万元的奖励。\n\n```rule\nparam a = 1\n```\n";
        let doc = read(text);
        assert_eq!(doc.blocks.len(), 1);
        let b = &doc.blocks[0];
        assert_eq!(&text[b.span.clone()], "param a = 1\n");
        assert_eq!(b.sentence.as_deref(), Some("对小巨人给予150万元的奖励。"));
        assert_eq!(
            b.headings,
            vec!["意见".to_string(), "（六）培育强链企业".to_string()]
        );
        assert_eq!(doc.clauses().collect::<Vec<_>>(), vec!["（六）"]);
        assert_eq!(
            clause_number("附件2 嘉兴市“5+5”产业集群布局"),
            Some("附件2")
        );
    }

    #[test]
    fn the_departments_note_is_not_the_sentence() {
        let doc = read(
            "## （六）\n\n甲。给予30万元的奖励。（责任单位：市经信局、市财政局）\n\n```rule\n```\n",
        );
        assert_eq!(
            doc.blocks[0].sentence.as_deref(),
            Some("给予30万元的奖励。")
        );
    }

    #[test]
    fn a_clause_ends_a_sentence_at_a_semicolon() {
        assert_eq!(
            sentences("甲，给予最高1000万元奖补；对机构给予100万元补助。（责任单位：市经信局）"),
            vec![
                "甲，给予最高1000万元奖补；",
                "对机构给予100万元补助。",
                "（责任单位：市经信局）"
            ]
        );
        let doc = read("甲；乙(x)。(责任单位：人行)\n\n```note\n为何\n```\n");
        assert_eq!(doc.notes[0].sentence.as_deref(), Some("乙(x)。"));
        assert!(doc.blocks.is_empty());
        assert_eq!(doc.paragraphs[0].line, 1);
    }

    #[test]
    fn a_heading_resets_the_sentence() {
        let doc = read("句子。\n\n## （一）标题\n\n```rule\n```\n");
        assert_eq!(doc.blocks[0].sentence, None);
    }

    #[test]
    fn a_block_in_a_list_is_nested() {
        let doc = read("- item\n\n  ```rule\n  param a = 1\n  param b = 2\n  ```\n");
        assert!(doc.blocks[0].nested);
        assert!(!read("```rule\nparam a = 1\nparam b = 2\n```\n").blocks[0].nested);
    }

    #[test]
    fn other_code_blocks_are_text() {
        assert!(read("```toml\na = 1\n```\n").blocks.is_empty());
    }
}
