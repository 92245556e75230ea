//! Turns the text of a rule block into tokens with byte spans.
//!
//! Numbers carry their Chinese unit here (`150万`, `1.6万亿`, `10%`), so the parser sees one literal.

use super::ast::Span;
use crate::types::Date;
use chumsky::Stream;
use chumsky::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;

/// A token of the rule language.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Token {
    /// A name or a keyword (keywords are contextual, except the reserved ones).
    Ident(String),
    /// A number without a unit; the flag says it had no decimal point.
    Num(Decimal, bool),
    /// A money literal, in yuan.
    Money(Decimal),
    /// A percent literal, as a ratio.
    Percent(Decimal),
    /// A date literal.
    Date(Date),
    /// A string literal.
    Str(String),
    /// Punctuation and operators.
    Punct(&'static str),
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Token::Ident(s) => write!(f, "`{s}`"),
            Token::Num(d, _) => write!(f, "number {d}"),
            Token::Money(d) => write!(f, "money {d}元"),
            Token::Percent(d) => write!(f, "percent {}%", d * Decimal::ONE_HUNDRED),
            Token::Date(d) => write!(f, "date {d}"),
            Token::Str(s) => write!(f, "text {s:?}"),
            Token::Punct(p) => write!(f, "`{p}`"),
        }
    }
}

/// Words that can never be names.
pub const RESERVED: &[&str] = &[
    "rule",
    "param",
    "target",
    "principle",
    "for",
    "in",
    "where",
    "if",
    "then",
    "else",
    "match",
    "and",
    "or",
    "not",
    "true",
    "false",
    "let",
    "when",
    "_",
];

const PUNCTS: &[&str] = &[
    "=>", "==", "!=", "<=", ">=", "->", "..", "<", ">", "=", "+", "-", "*", "/", "(", ")", "[",
    "]", "{", "}", ",", ":", ".", "@", "|",
];

/// Chinese unit suffixes, longest first, with their scale in yuan (or `None` for percent).
const UNITS: &[(&str, Option<u64>)] = &[
    ("万亿元", Some(1_000_000_000_000)),
    ("万亿", Some(1_000_000_000_000)),
    ("万元", Some(10_000)),
    ("亿元", Some(100_000_000)),
    ("万", Some(10_000)),
    ("亿", Some(100_000_000)),
    ("元", Some(1)),
    ("%", None),
];

fn lexer() -> impl Parser<char, Vec<(Token, Span)>, Error = Simple<char, Span>> {
    let digit = filter(|c: &char| c.is_ascii_digit());
    let digits = digit.repeated().at_least(1).collect::<String>();

    let two = digit.repeated().exactly(2).collect::<String>();
    let date = digit
        .repeated()
        .exactly(4)
        .collect::<String>()
        .then_ignore(just('-'))
        .then(two)
        .then_ignore(just('-'))
        .then(digit.repeated().exactly(2).collect::<String>())
        .validate(|((y, m), d), span, emit| {
            let text = format!("{y}-{m}-{d}");
            Token::Date(Date::parse(&text).unwrap_or_else(|| {
                // Report it and keep a placeholder: the block is rejected, but lexing goes on.
                emit(Simple::custom(
                    span,
                    format!("{text} is not a calendar date"),
                ));
                Date {
                    year: 0,
                    month: 1,
                    day: 1,
                }
            }))
        });

    let unit = choice(
        UNITS
            .iter()
            .map(|(text, scale)| just(*text).to(*scale))
            .collect::<Vec<_>>(),
    );
    let number = digits
        .then(just('.').ignore_then(digits).or_not())
        .then(unit.or_not())
        .try_map(|((int, frac), unit), span: Span| {
            let text = match &frac {
                Some(f) => format!("{int}.{f}"),
                None => int.clone(),
            };
            let value = Decimal::from_str(&text)
                .map_err(|_| Simple::custom(span.clone(), "number is too large"))?;
            let scaled = |scale: u64| {
                value
                    .checked_mul(Decimal::from(scale))
                    .ok_or_else(|| Simple::custom(span.clone(), "amount is too large"))
            };
            Ok(match unit {
                None => Token::Num(value, frac.is_none()),
                Some(None) => Token::Percent(value / Decimal::ONE_HUNDRED),
                Some(Some(scale)) => Token::Money(scaled(scale)?),
            })
        });

    let ident = filter(|c: &char| c.is_alphabetic() || *c == '_')
        .chain(filter(|c: &char| c.is_alphanumeric() || *c == '_').repeated())
        .collect::<String>()
        .map(Token::Ident);

    let escape = just('\\').ignore_then(choice((just('"'), just('\\'), just('n').to('\n'))));
    let string = just('"')
        .ignore_then(
            filter(|c: &char| *c != '"' && *c != '\\')
                .or(escape)
                .repeated(),
        )
        .then_ignore(just('"'))
        .collect::<String>()
        .map(Token::Str);

    let punct = choice(
        PUNCTS
            .iter()
            .map(|p| just(*p).to(Token::Punct(p)))
            .collect::<Vec<_>>(),
    );

    let token = choice((date, number, string, ident, punct)).map_with_span(|t, s| (t, s));
    let comment = just("//")
        .then(take_until(just('\n').ignored().or(end())))
        .padded();

    token
        .padded_by(comment.clone().repeated())
        .padded()
        .recover_with(skip_then_retry_until([]))
        .repeated()
        .padded_by(comment.repeated())
        .then_ignore(end())
}

/// A lexing error: where, and what was found.
#[derive(Debug, Clone, PartialEq)]
pub struct LexError {
    /// Where the bad input starts.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// How to fix it, if known.
    pub help: Option<String>,
}

/// Splits `src` (which starts at byte `base` of its file) into tokens, with every error.
pub fn lex(src: &str, base: usize) -> (Vec<(Token, Span)>, Vec<LexError>) {
    let end = base + src.len();
    let stream = Stream::from_iter(
        end..end,
        src.char_indices()
            .map(move |(i, c)| (c, base + i..base + i + c.len_utf8())),
    );
    let (tokens, errors) = lexer().parse_recovery(stream);
    let errors = errors.into_iter().map(lex_error).collect();
    (tokens.unwrap_or_default(), errors)
}

fn lex_error(e: Simple<char, Span>) -> LexError {
    use chumsky::error::SimpleReason;
    let span = e.span();
    if let SimpleReason::Custom(msg) = e.reason() {
        return LexError {
            span,
            message: msg.clone(),
            help: None,
        };
    }
    match e.found() {
        Some(c) => LexError {
            span,
            message: format!("unexpected character `{c}`"),
            help: ascii_for(*c).map(|a| format!("rule blocks use ASCII punctuation: write `{a}`")),
        },
        None => LexError {
            span,
            message: "unexpected end of the block (an unclosed string?)".into(),
            help: None,
        },
    }
}

/// The ASCII character a full-width one stands for, when a writer typed it by habit.
fn ascii_for(c: char) -> Option<char> {
    Some(match c {
        '，' => ',',
        '：' => ':',
        '（' => '(',
        '）' => ')',
        '“' | '”' => '"',
        '；' => ';',
        '【' => '[',
        '】' => ']',
        '＝' => '=',
        '＞' => '>',
        '＜' => '<',
        '％' => '%',
        '。' => '.',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Token> {
        let (t, e) = lex(src, 0);
        assert!(e.is_empty(), "{e:?}");
        t.into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn chinese_units_scale_exactly() {
        assert_eq!(toks("150万"), vec![Token::Money(Decimal::from(1_500_000))]);
        assert_eq!(
            toks("1.6万亿"),
            vec![Token::Money(Decimal::from(1_600_000_000_000_i64))]
        );
        assert_eq!(toks("150元"), vec![Token::Money(Decimal::from(150))]);
        assert_eq!(toks("10%"), vec![Token::Percent(Decimal::new(1, 1))]);
        assert_eq!(toks("0.1"), vec![Token::Num(Decimal::new(1, 1), false)]);
    }

    #[test]
    fn dates_and_chinese_names() {
        assert_eq!(
            toks("2025-12-31 单项冠军"),
            vec![
                Token::Date(Date {
                    year: 2025,
                    month: 12,
                    day: 31
                }),
                Token::Ident("单项冠军".into())
            ]
        );
        assert_eq!(
            toks("year - 1"),
            vec![
                Token::Ident("year".into()),
                Token::Punct("-"),
                Token::Num(Decimal::ONE, true)
            ]
        );
    }

    #[test]
    fn full_width_punctuation_gets_a_hint() {
        let (_, errors) = lex("a，b", 0);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].span, 1..4);
        assert!(errors[0].help.as_deref().unwrap_or("").contains('`'));
    }

    #[test]
    fn impossible_date_is_an_error() {
        let (_, errors) = lex("2021-02-29", 0);
        assert_eq!(errors.len(), 1);
    }
}
