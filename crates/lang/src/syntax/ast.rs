//! The untyped syntax tree of a rule block, as written.
//!
//! Spans are byte ranges into the policy file, so every later diagnostic can point at the source.

use std::ops::Range;

/// A byte range in the policy file.
pub type Span = Range<usize>;

/// A node with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The node.
    pub node: T,
    /// Where it was written.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps a node with its span.
    pub fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }
}

/// A name as written (Chinese or ASCII).
pub type Ident = Spanned<String>;

/// One top-level declaration of a rule block.
#[derive(Debug, Clone, PartialEq)]
pub enum Decl {
    /// `param name: type = value`
    Param(Param),
    /// `rule id for kind var { ... }`
    Rule(Rule),
    /// `target id { ... }`
    Target(Target),
    /// `principle id { ... }`
    Principle(Principle),
}

/// A named parameter: a constant, a table keyed by an enum, or a year-indexed schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The parameter's name.
    pub name: Ident,
    /// The declared type, if any (a table always declares one).
    pub ty: Option<Spanned<TypeExpr>>,
    /// The value.
    pub value: Spanned<Expr>,
    /// `= pending "why"`: the document fixes no value; why. `value` then holds the same text.
    pub pending: Option<String>,
}

/// A type as written.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    /// `money`, `level`, ...
    Named(String),
    /// `key -> value`, a table or schedule.
    Table(Ident, Box<Spanned<TypeExpr>>),
}

/// A rule: who it is for, when it applies, what it pays and under which terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// The rule's id.
    pub id: Ident,
    /// The entity kind of the subject (`enterprise`, `recognition`, ...).
    pub subject: Ident,
    /// The variable bound to the subject.
    pub var: Ident,
    /// The clauses in the order written; the amount pipeline keeps that order.
    pub items: Vec<Spanned<RuleItem>>,
}

/// One clause inside a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleItem {
    /// `title "..."`: a human label.
    Title(String),
    /// `cite "..."`: an explicit citation overriding the preceding sentence.
    Cite(String),
    /// `let name = expr`
    Let(Ident, Spanned<Expr>),
    /// `when name: expr`: a named condition.
    When(Ident, Spanned<Expr>),
    /// `award expr`
    Award(Spanned<Expr>),
    /// `scale name: expr`: a named multiplier (退坡, 系数).
    Scale(Ident, Spanned<Expr>),
    /// `cap expr [per key]`
    Cap(Spanned<Expr>, Option<Vec<Spanned<Expr>>>),
    /// `exclusive group by (key, ...) [top_up]`
    Exclusive {
        /// The group shared by rules that pay the same achievement.
        group: Ident,
        /// The key identifying the achievement.
        key: Vec<Spanned<Expr>>,
        /// Whether a later, higher award pays the difference (补差).
        top_up: bool,
    },
    /// `once` or `yearly for N years`
    Recurrence(Recurrence),
    /// `department a, b`
    Department(Vec<Ident>),
    /// `fund f`
    Fund(Ident),
    /// `review up to cap [approved expr]`, `case_by_case`, `pending "reason"`
    Mode(ModeSyntax),
    /// `cost_share city expr`
    CostShare(Spanned<Expr>),
    /// `effective from .. until`
    Effective(Spanned<Expr>, Spanned<Expr>),
    /// `tags a, b`
    Tags(Vec<Ident>),
}

/// How often a rule may pay the same subject.
#[derive(Debug, Clone, PartialEq)]
pub enum Recurrence {
    /// 一次性: once per subject (or exclusivity key), ever.
    Once,
    /// 连续N年每年: every year for N years from the first award.
    Yearly(Spanned<u32>),
}

/// The mode clause as written.
#[derive(Debug, Clone, PartialEq)]
pub enum ModeSyntax {
    /// 最高X万, amount decided by review.
    Review {
        /// The cap.
        cap: Spanned<Expr>,
        /// The approved amount, if the facts carry one.
        approved: Option<Spanned<Expr>>,
    },
    /// 一事一议.
    CaseByCase,
    /// The document fixes no amount.
    Pending(String),
}

/// A numeric target of the policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The target's id.
    pub id: Ident,
    /// The clauses in the order written.
    pub items: Vec<Spanned<TargetItem>>,
}

/// One clause inside a target.
#[derive(Debug, Clone, PartialEq)]
pub enum TargetItem {
    /// `title "..."`
    Title(String),
    /// `cite "..."`
    Cite(String),
    /// `goal >= value [of base_year] [yearly from first_year] by year`; with `of`, the value is a
    /// share of the base year's; with `yearly from`, it must hold in every year from the first to
    /// the last (a yearly floor: 每年不低于).
    Goal {
        /// The comparison.
        op: Spanned<CmpOp>,
        /// The goal.
        value: Spanned<Expr>,
        /// The base year of a relative goal.
        of: Option<Spanned<Expr>>,
        /// The first year of a yearly floor.
        from: Option<Spanned<Expr>>,
        /// The year it is due (the last year of a floor).
        by: Spanned<Expr>,
    },
    /// `baseline value in year`
    Baseline(Spanned<Expr>, Spanned<Expr>),
    /// `measure expr`: how the facts give the value.
    Measure(Spanned<Expr>),
    /// `indicator`: the value is entered as an indicator fact.
    Indicator,
    /// `department a, b`
    Department(Vec<Ident>),
}

/// A principle checked over a whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct Principle {
    /// The principle's id.
    pub id: Ident,
    /// The clauses in the order written.
    pub items: Vec<Spanned<PrincipleItem>>,
}

/// One clause inside a principle.
#[derive(Debug, Clone, PartialEq)]
pub enum PrincipleItem {
    /// `title "..."`
    Title(String),
    /// `cite "..."`
    Cite(String),
    /// `fund f`
    Fund(Ident),
    /// `share tagged t >= 70%`
    Share(Ident, Spanned<CmpOp>, Spanned<Expr>),
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A binary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum BinOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `and`
    And,
    /// `or`
    Or,
    /// A comparison.
    Cmp(CmpOp),
}

impl BinOp {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Cmp(c) => c.symbol(),
        }
    }
}

/// A unary operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum UnOp {
    /// `-x`
    Neg,
    /// `not x`
    Not,
}

/// The money unit of a literal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// 元 (and 万元, 亿元 through the scale).
    Yuan,
    /// `%`
    Percent,
}

/// A literal as written, already scaled (150万 is 1,500,000 yuan).
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A number without a unit; `is_int` when it had no decimal point.
    Number(rust_decimal::Decimal, bool),
    /// A money amount in yuan.
    Money(rust_decimal::Decimal),
    /// A percent as a ratio (10% is 0.10).
    Percent(rust_decimal::Decimal),
    /// `2025-12-31`
    Date(crate::types::Date),
    /// `"text"`
    Text(String),
    /// `true` / `false`
    Bool(bool),
}

/// The kind of an aggregate over related records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum AggKind {
    /// any record matches
    Any,
    /// how many records match
    Count,
    /// the sum of a value over matching records
    Sum,
    /// the smallest value
    Min,
    /// the largest value
    Max,
}

/// A key of a table literal.
#[derive(Debug, Clone, PartialEq)]
pub enum TableKey {
    /// An enum variant or a year.
    Key(Spanned<Expr>),
    /// `_`: every other key.
    Default,
}

/// An expression as written.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Lit(Literal),
    /// A name: parameter, local, variable, enum variant or `year`.
    Name(String),
    /// `a.b`
    Field(Box<Spanned<Expr>>, Ident),
    /// `table[key]`
    Index(Box<Spanned<Expr>>, Box<Spanned<Expr>>),
    /// `expr @ year`: the expression read in another year.
    At(Box<Spanned<Expr>>, Box<Spanned<Expr>>),
    /// `f(args)`
    Call(Ident, Vec<Spanned<Expr>>),
    /// `agg(var in coll where cond => value)`
    Agg {
        /// which aggregate
        kind: AggKind,
        /// the bound variable
        var: Ident,
        /// the related records
        coll: Box<Spanned<Expr>>,
        /// an optional filter
        filter: Option<Box<Spanned<Expr>>>,
        /// the value summed (sum, min, max)
        map: Option<Box<Spanned<Expr>>>,
    },
    /// `-x`, `not x`
    Unary(UnOp, Box<Spanned<Expr>>),
    /// `a op b`
    Binary(BinOp, Box<Spanned<Expr>>, Box<Spanned<Expr>>),
    /// `if c then a else b`
    If(Box<Spanned<Expr>>, Box<Spanned<Expr>>, Box<Spanned<Expr>>),
    /// `match x { a => .., _ => .. }`
    Match(Box<Spanned<Expr>>, Vec<(Spanned<Pattern>, Spanned<Expr>)>),
    /// `x in [a, b]`
    In(Box<Spanned<Expr>>, Vec<Spanned<Expr>>),
    /// `{ key => value, ... }`
    Table(Vec<(TableKey, Spanned<Expr>)>),
    /// `(a, b)`, only as an exclusivity or cap key
    Tuple(Vec<Spanned<Expr>>),
    /// Stands for a piece that did not parse, so checking can go on.
    Error,
}

/// A match arm's pattern.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// One or more enum variants, `a | b`.
    Variants(Vec<Ident>),
    /// `_`
    Wildcard,
}
