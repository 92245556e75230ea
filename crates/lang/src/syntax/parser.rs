//! Parses the tokens of a rule block into declarations.

// chumsky's `filter_map` closures must return its error type, which is large by design.
#![allow(clippy::result_large_err)]

use super::ast::*;
use super::lexer::{RESERVED, Token};
use chumsky::Stream;
use chumsky::prelude::*;

type E = Simple<Token, Span>;
/// Parsers are boxed at each level: the unboxed types are so large that building them alone
/// would need megabytes of stack.
type P<T> = BoxedParser<'static, Token, T, E>;

/// A syntax error: where, what was expected and what was found.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    /// Where.
    pub span: Span,
    /// What is wrong, in words.
    pub message: String,
}

/// Parses the tokens of one block. `end` is the byte just after the block.
pub fn parse(tokens: Vec<(Token, Span)>, end: usize) -> (Vec<Spanned<Decl>>, Vec<ParseError>) {
    let stream = Stream::from_iter(end..end, tokens.into_iter());
    let (decls, errors) = decls().parse_recovery(stream);
    (
        decls.unwrap_or_default(),
        errors.into_iter().map(parse_error).collect(),
    )
}

fn parse_error(e: E) -> ParseError {
    use chumsky::error::SimpleReason;
    let message = match e.reason() {
        SimpleReason::Custom(m) => m.clone(),
        SimpleReason::Unclosed { delimiter, .. } => format!("unclosed {delimiter}"),
        SimpleReason::Unexpected => {
            let mut expected: Vec<String> = e
                .expected()
                .map(|t| match t {
                    Some(t) => t.to_string(),
                    None => "end of block".to_string(),
                })
                .collect();
            expected.sort();
            expected.dedup();
            let found = match e.found() {
                Some(t) => t.to_string(),
                None => "end of the block".to_string(),
            };
            if expected.is_empty() {
                format!("unexpected {found}")
            } else {
                format!("unexpected {found}; expected {}", expected.join(" or "))
            }
        }
    };
    ParseError {
        span: e.span(),
        message,
    }
}

fn kw(word: &'static str) -> impl Parser<Token, (), Error = E> + Clone {
    just(Token::Ident(word.to_string())).ignored()
}

fn punct(p: &'static str) -> impl Parser<Token, (), Error = E> + Clone {
    just(Token::Punct(p)).ignored()
}

fn ident() -> impl Parser<Token, Ident, Error = E> + Clone {
    filter_map(|span: Span, tok| match tok {
        Token::Ident(s) if !RESERVED.contains(&s.as_str()) => Ok(Spanned::new(s, span)),
        other => Err(Simple::custom(
            span,
            format!("expected a name, found {other}"),
        )),
    })
}

fn string() -> impl Parser<Token, String, Error = E> + Clone {
    filter_map(|span: Span, tok| match tok {
        Token::Str(s) => Ok(s),
        other => Err(Simple::custom(
            span,
            format!("expected a quoted text, found {other}"),
        )),
    })
}

fn names() -> impl Parser<Token, Vec<Ident>, Error = E> + Clone {
    ident().separated_by(punct(",")).at_least(1)
}

fn cmp_op() -> impl Parser<Token, Spanned<CmpOp>, Error = E> + Clone {
    choice((
        punct("==").to(CmpOp::Eq),
        punct("!=").to(CmpOp::Ne),
        punct("<=").to(CmpOp::Le),
        punct(">=").to(CmpOp::Ge),
        punct("<").to(CmpOp::Lt),
        punct(">").to(CmpOp::Gt),
    ))
    .map_with_span(Spanned::new)
}

fn boxed(e: Spanned<Expr>) -> Box<Spanned<Expr>> {
    Box::new(e)
}

fn expr() -> P<Spanned<Expr>> {
    recursive(|expr| {
        let literal = filter_map(|span: Span, tok| {
            Ok(Expr::Lit(match tok {
                Token::Num(d, int) => Literal::Number(d, int),
                Token::Money(d) => Literal::Money(d),
                Token::Percent(d) => Literal::Percent(d),
                Token::Date(d) => Literal::Date(d),
                Token::Str(s) => Literal::Text(s),
                Token::Ident(w) if w == "true" => Literal::Bool(true),
                Token::Ident(w) if w == "false" => Literal::Bool(false),
                other => return Err(Simple::expected_input_found(span, Vec::new(), Some(other))),
            }))
        });

        let parens = expr
            .clone()
            .separated_by(punct(","))
            .allow_trailing()
            .at_least(1)
            .delimited_by(punct("("), punct(")"))
            .map(|mut items: Vec<Spanned<Expr>>| {
                if items.len() == 1 {
                    items.remove(0).node
                } else {
                    Expr::Tuple(items)
                }
            });

        let table_key = kw("_")
            .to(TableKey::Default)
            .or(expr.clone().map(TableKey::Key));
        let table = table_key
            .then_ignore(punct("=>"))
            .then(expr.clone())
            .separated_by(punct(","))
            .allow_trailing()
            .delimited_by(punct("{"), punct("}"))
            .map(Expr::Table);

        let if_ = kw("if")
            .ignore_then(expr.clone())
            .then_ignore(kw("then"))
            .then(expr.clone())
            .then_ignore(kw("else"))
            .then(expr.clone())
            .map(|((c, a), b)| Expr::If(boxed(c), boxed(a), boxed(b)));

        let pattern = kw("_")
            .to(Pattern::Wildcard)
            .or(ident()
                .separated_by(punct("|"))
                .at_least(1)
                .map(Pattern::Variants))
            .map_with_span(Spanned::new);
        let match_ = kw("match")
            .ignore_then(expr.clone())
            .then(
                pattern
                    .then_ignore(punct("=>"))
                    .then(expr.clone())
                    .separated_by(punct(","))
                    .allow_trailing()
                    .delimited_by(punct("{"), punct("}")),
            )
            .map(|(s, arms)| Expr::Match(boxed(s), arms));

        let agg_kind = choice((
            kw("any").to(AggKind::Any),
            kw("count").to(AggKind::Count),
            kw("sum").to(AggKind::Sum),
            kw("min").to(AggKind::Min),
            kw("max").to(AggKind::Max),
        ));
        let agg = agg_kind
            .then_ignore(punct("("))
            .then(ident())
            .then_ignore(kw("in"))
            .then(expr.clone())
            .then(kw("where").ignore_then(expr.clone()).or_not())
            .then(punct("=>").ignore_then(expr.clone()).or_not())
            .then_ignore(punct(")"))
            .map(|((((kind, var), coll), filter), map)| Expr::Agg {
                kind,
                var,
                coll: boxed(coll),
                filter: filter.map(boxed),
                map: map.map(boxed),
            });

        let call = ident()
            .then(
                expr.clone()
                    .separated_by(punct(","))
                    .allow_trailing()
                    .delimited_by(punct("("), punct(")")),
            )
            .map(|(f, args)| Expr::Call(f, args));

        let name = ident().map(|i| Expr::Name(i.node));

        let atom = choice((
            literal,
            parens.boxed(),
            table.boxed(),
            if_.boxed(),
            match_.boxed(),
            agg.boxed(),
            call.boxed(),
            name,
        ))
        .map_with_span(Spanned::new)
        .boxed();

        enum Post {
            Field(Ident),
            Index(Spanned<Expr>),
        }
        let postfix = atom
            .then(
                choice((
                    punct(".").ignore_then(ident()).map(Post::Field),
                    expr.clone()
                        .delimited_by(punct("["), punct("]"))
                        .map(Post::Index),
                ))
                .map_with_span(|p, s: Span| (p, s))
                .repeated(),
            )
            .foldl(|base, (post, span)| {
                let span = base.span.start..span.end;
                let node = match post {
                    Post::Field(f) => Expr::Field(boxed(base), f),
                    Post::Index(i) => Expr::Index(boxed(base), boxed(i)),
                };
                Spanned::new(node, span)
            })
            .boxed();

        let at = postfix
            .clone()
            .then(punct("@").ignore_then(postfix).repeated())
            .foldl(|base, year| {
                let span = base.span.start..year.span.end;
                Spanned::new(Expr::At(boxed(base), boxed(year)), span)
            });

        let neg = punct("-")
            .map_with_span(|_, s: Span| s)
            .repeated()
            .then(at)
            .foldr(|op_span, e| {
                let span = op_span.start..e.span.end;
                Spanned::new(Expr::Unary(UnOp::Neg, boxed(e)), span)
            })
            .boxed();

        let product = binary(
            neg,
            choice((punct("*").to(BinOp::Mul), punct("/").to(BinOp::Div))),
        );
        let sum = binary(
            product,
            choice((punct("+").to(BinOp::Add), punct("-").to(BinOp::Sub))),
        );

        let list = expr
            .clone()
            .separated_by(punct(","))
            .allow_trailing()
            .delimited_by(punct("["), punct("]"));
        enum Tail {
            Cmp(CmpOp, Spanned<Expr>),
            In(Vec<Spanned<Expr>>),
        }
        let compare = sum
            .clone()
            .then(
                cmp_op()
                    .then(sum)
                    .map(|(op, r)| Tail::Cmp(op.node, r))
                    .or(kw("in").ignore_then(list).map(Tail::In))
                    .map_with_span(|t, s: Span| (t, s))
                    .or_not(),
            )
            .map(|(l, tail)| match tail {
                None => l,
                Some((tail, s)) => {
                    let span = l.span.start..s.end;
                    let node = match tail {
                        Tail::Cmp(op, r) => Expr::Binary(BinOp::Cmp(op), boxed(l), boxed(r)),
                        Tail::In(items) => Expr::In(boxed(l), items),
                    };
                    Spanned::new(node, span)
                }
            })
            .boxed();

        let not = kw("not")
            .map_with_span(|_, s: Span| s)
            .repeated()
            .then(compare)
            .foldr(|op_span, e| {
                let span = op_span.start..e.span.end;
                Spanned::new(Expr::Unary(UnOp::Not, boxed(e)), span)
            });
        let and = binary(not, kw("and").to(BinOp::And));
        binary(and, kw("or").to(BinOp::Or))
    })
    .boxed()
}

/// A left-associative chain of `operand (op operand)*`.
fn binary(
    operand: impl Parser<Token, Spanned<Expr>, Error = E> + Clone + 'static,
    op: impl Parser<Token, BinOp, Error = E> + Clone + 'static,
) -> P<Spanned<Expr>> {
    operand
        .clone()
        .then(op.then(operand).repeated())
        .foldl(|l, (op, r)| {
            let span = l.span.start..r.span.end;
            Spanned::new(Expr::Binary(op, boxed(l), boxed(r)), span)
        })
        .boxed()
}

fn type_expr() -> impl Parser<Token, Spanned<TypeExpr>, Error = E> + Clone {
    recursive(|ty| {
        ident()
            .then(punct("->").ignore_then(ty).or_not())
            .map(|(name, value)| match value {
                None => TypeExpr::Named(name.node),
                Some(v) => TypeExpr::Table(name, Box::new(v)),
            })
            .map_with_span(Spanned::new)
    })
}

fn rule_item() -> P<Spanned<RuleItem>> {
    let key = expr();
    let uint = filter_map(|span: Span, tok| match tok {
        Token::Num(d, true) => u32::try_from(d.mantissa())
            .ok()
            .filter(|n| *n > 0)
            .map(|n| Spanned::new(n, span.clone()))
            .ok_or_else(|| Simple::custom(span, "expected a positive whole number of years")),
        other => Err(Simple::custom(
            span,
            format!("expected a number of years, found {other}"),
        )),
    });
    choice((
        kw("title").ignore_then(string()).map(RuleItem::Title),
        kw("cite").ignore_then(string()).map(RuleItem::Cite),
        kw("let")
            .ignore_then(ident())
            .then_ignore(punct("="))
            .then(expr())
            .map(|(n, e)| RuleItem::Let(n, e)),
        kw("when")
            .ignore_then(ident())
            .then_ignore(punct(":"))
            .then(expr())
            .map(|(n, e)| RuleItem::When(n, e)),
        kw("award").ignore_then(expr()).map(RuleItem::Award),
        kw("scale")
            .ignore_then(ident())
            .then_ignore(punct(":"))
            .then(expr())
            .map(|(n, e)| RuleItem::Scale(n, e)),
        kw("cap")
            .ignore_then(expr())
            .then(kw("per").ignore_then(key.clone()).or_not())
            .map(|(cap, per)| RuleItem::Cap(cap, per.map(flatten_key))),
        kw("exclusive")
            .ignore_then(ident())
            .then_ignore(kw("by"))
            .then(key)
            .then(kw("top_up").or_not())
            .map(|((group, key), top_up)| RuleItem::Exclusive {
                group,
                key: flatten_key(key),
                top_up: top_up.is_some(),
            }),
        kw("once").to(RuleItem::Recurrence(Recurrence::Once)),
        kw("yearly")
            .ignore_then(kw("for"))
            .ignore_then(uint)
            .then_ignore(kw("years"))
            .map(|n| RuleItem::Recurrence(Recurrence::Yearly(n))),
        kw("department")
            .ignore_then(names())
            .map(RuleItem::Department),
        kw("fund").ignore_then(ident()).map(RuleItem::Fund),
        kw("review")
            .ignore_then(kw("up"))
            .ignore_then(kw("to"))
            .ignore_then(expr())
            .then(kw("approved").ignore_then(expr()).or_not())
            .map(|(cap, approved)| RuleItem::Mode(ModeSyntax::Review { cap, approved })),
        kw("case_by_case").to(RuleItem::Mode(ModeSyntax::CaseByCase)),
        kw("pending")
            .ignore_then(string())
            .map(|r| RuleItem::Mode(ModeSyntax::Pending(r))),
        kw("cost_share")
            .ignore_then(kw("city"))
            .ignore_then(expr())
            .map(RuleItem::CostShare),
        kw("effective")
            .ignore_then(expr())
            .then_ignore(punct(".."))
            .then(expr())
            .map(|(a, b)| RuleItem::Effective(a, b)),
        kw("tags").ignore_then(names()).map(RuleItem::Tags),
    ))
    .map_with_span(Spanned::new)
    .boxed()
}

/// A key is a tuple written in parentheses or a single expression.
fn flatten_key(key: Spanned<Expr>) -> Vec<Spanned<Expr>> {
    match key.node {
        Expr::Tuple(items) => items,
        node => vec![Spanned::new(node, key.span)],
    }
}

fn target_item() -> P<Spanned<TargetItem>> {
    choice((
        kw("title").ignore_then(string()).map(TargetItem::Title),
        kw("cite").ignore_then(string()).map(TargetItem::Cite),
        kw("goal")
            .ignore_then(cmp_op())
            .then(expr())
            .then(kw("of").ignore_then(expr()).or_not())
            .then(
                kw("yearly")
                    .ignore_then(kw("from"))
                    .ignore_then(expr())
                    .or_not(),
            )
            .then_ignore(kw("by"))
            .then(expr())
            .map(|((((op, value), of), from), by)| TargetItem::Goal {
                op,
                value,
                of,
                from,
                by,
            }),
        kw("baseline")
            .ignore_then(expr())
            .then_ignore(kw("in"))
            .then(expr())
            .map(|(v, y)| TargetItem::Baseline(v, y)),
        kw("measure").ignore_then(expr()).map(TargetItem::Measure),
        kw("indicator").to(TargetItem::Indicator),
        kw("department")
            .ignore_then(names())
            .map(TargetItem::Department),
    ))
    .map_with_span(Spanned::new)
    .boxed()
}

fn principle_item() -> P<Spanned<PrincipleItem>> {
    choice((
        kw("title").ignore_then(string()).map(PrincipleItem::Title),
        kw("cite").ignore_then(string()).map(PrincipleItem::Cite),
        kw("fund").ignore_then(ident()).map(PrincipleItem::Fund),
        kw("share")
            .ignore_then(kw("tagged"))
            .ignore_then(ident())
            .then(cmp_op())
            .then(expr())
            .map(|((t, op), v)| PrincipleItem::Share(t, op, v)),
    ))
    .map_with_span(Spanned::new)
    .boxed()
}

fn body<T: 'static>(item: P<T>) -> P<Vec<T>> {
    item.repeated().delimited_by(punct("{"), punct("}")).boxed()
}

fn decls() -> P<Vec<Spanned<Decl>>> {
    let param = kw("param")
        .ignore_then(ident())
        .then(punct(":").ignore_then(type_expr()).or_not())
        .then_ignore(punct("="))
        .then(
            kw("pending")
                .ignore_then(string())
                .map_with_span(|why: String, span| {
                    let text = Expr::Lit(Literal::Text(why.clone()));
                    (Spanned::new(text, span), Some(why))
                })
                .or(expr().map(|value| (value, None))),
        )
        .map(|((name, ty), (value, pending))| {
            Decl::Param(Param {
                name,
                ty,
                value,
                pending,
            })
        });
    let rule = kw("rule")
        .ignore_then(ident())
        .then_ignore(kw("for"))
        .then(ident())
        .then(ident())
        .then(body(rule_item()))
        .map(|(((id, subject), var), items)| {
            Decl::Rule(Rule {
                id,
                subject,
                var,
                items,
            })
        });
    let target = kw("target")
        .ignore_then(ident())
        .then(body(target_item()))
        .map(|(id, items)| Decl::Target(Target { id, items }));
    let principle = kw("principle")
        .ignore_then(ident())
        .then(body(principle_item()))
        .map(|(id, items)| Decl::Principle(Principle { id, items }));
    choice((
        param.boxed(),
        rule.boxed(),
        target.boxed(),
        principle.boxed(),
    ))
    .map_with_span(Spanned::new)
    .recover_with(skip_then_retry_until([]))
    .repeated()
    .then_ignore(end())
    .boxed()
}
