//! The typed IR: what the engine compiles. Every name is resolved and every type is known, so the engine
//! checks nothing again.

use crate::pack::catalog::Catalog;
use crate::pack::literate::Citation;
use crate::pack::manifest::{Manifest, RoundingMode};
use crate::syntax::ast::Span;
/// The operators of expressions, as the IR carries them: the engine reads them from here.
pub use crate::syntax::ast::{AggKind, BinOp, CmpOp, UnOp};
use crate::types::{Date, EntityKind, Type, Value};
use serde::{Deserialize, Serialize};

/// A checked pack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pack {
    /// The manifest.
    pub manifest: Manifest,
    /// The catalog.
    pub catalog: Catalog,
    /// The clause numbers of the policy, in order (（一）, （二） ...).
    pub clauses: Vec<String>,
    /// Parameters, in declaration order; what-if overrides these by name.
    pub params: Vec<Param>,
    /// Rules, in declaration order.
    pub rules: Vec<Rule>,
    /// Numeric targets.
    pub targets: Vec<Target>,
    /// Principles checked over a run.
    pub principles: Vec<Principle>,
}

/// The departments (责任单位) the packs' rules name, each once, in order of first mention: the
/// departments a 部门审核员 account may be bound to.
pub fn departments<'a>(packs: impl IntoIterator<Item = &'a Pack>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for d in packs
        .into_iter()
        .flat_map(|p| &p.rules)
        .flat_map(|r| &r.departments)
    {
        if !out.contains(d) {
            out.push(d.clone());
        }
    }
    out
}

impl Pack {
    /// The parameter named `name`.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().find(|p| p.name == name)
    }

    /// The rule with id `id`.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// A parameter.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// Its type (a table's is `key -> value`).
    pub ty: Type,
    /// Its value.
    pub value: ParamValue,
    /// Where the policy states it.
    pub citation: Option<Citation>,
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamValue {
    /// A constant.
    Const(Value),
    /// A table keyed by enum values or years, with a value for other keys if given.
    Table {
        /// Key and value, in the order written.
        entries: Vec<(Value, Value)>,
        /// The value for keys not listed.
        default: Option<Value>,
    },
    /// The document fixes no value (市区共担 without the shares): why. Reads as a missing fact
    /// until a run sets it.
    Pending(String),
}

/// A typed expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expr {
    /// What it computes.
    pub kind: ExprKind,
    /// Its type.
    pub ty: Type,
    /// Where it is written in policy.md.
    #[serde(skip)]
    pub span: Span,
}

/// A built-in function, with its options resolved.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Builtin {
    /// `round(x, unit, mode)`: money to a multiple of `unit` yuan (0.01 for 分).
    Round {
        /// The step in yuan.
        unit: rust_decimal::Decimal,
        /// The rounding mode.
        mode: RoundingMode,
    },
    /// `floor(x)`: the whole number at or below a ratio.
    Floor,
    /// `ceil(x)`: the whole number at or above a ratio.
    Ceil,
    /// `min(a, b, ...)`
    Min,
    /// `max(a, b, ...)`
    Max,
    /// `clamp(x, lo, hi)`
    Clamp,
    /// `abs(x)`
    Abs,
    /// `growth(x)`: x / (x @ (year - 1)) - 1, as a percent.
    Growth,
    /// `first_time(c)`: c holds this year and held in no earlier year.
    FirstTime,
    /// `streak(c)`: the number of consecutive years, ending this year, in which c holds.
    Streak,
    /// `first_year(c)`: the first year in which c held.
    FirstYear,
    /// `year_of(d)`: the year of a date.
    YearOf,
    /// `exists(x)`: whether the facts give a value for x.
    Exists,
}

/// The forms of a typed expression.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExprKind {
    /// A literal.
    Const(Value),
    /// The evaluation year.
    Year,
    /// A parameter, by name.
    Param(String),
    /// A `let` of the rule, by name.
    Local(String),
    /// The rule's subject or an aggregate's variable, by name.
    Var(String),
    /// Every record of a kind.
    All(EntityKind),
    /// A field of a record.
    Field {
        /// The record.
        base: Box<Expr>,
        /// The field's name in the schema.
        field: String,
        /// Whether it has a value per year.
        yearly: bool,
    },
    /// An expression read in another year.
    At {
        /// What is read.
        expr: Box<Expr>,
        /// In which year.
        year: Box<Expr>,
    },
    /// A table parameter at a key.
    Lookup {
        /// The table's name.
        table: String,
        /// The key.
        key: Box<Expr>,
    },
    /// `-x`, `not x`
    Unary(UnOp, Box<Expr>),
    /// `a op b`, with operand types as checked.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `if c then a else b`
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    /// A match on an enum; an arm with no values is the wildcard.
    Match(Box<Expr>, Vec<(Vec<String>, Expr)>),
    /// `x in [..]`
    In(Box<Expr>, Vec<Expr>),
    /// A built-in call.
    Call(Builtin, Vec<Expr>),
    /// An aggregate over records.
    Agg {
        /// Which aggregate.
        kind: AggKind,
        /// The variable bound to each record.
        var: String,
        /// The records.
        coll: Box<Expr>,
        /// Which records count.
        filter: Option<Box<Expr>>,
        /// The value aggregated.
        map: Option<Box<Expr>>,
    },
    /// A key made of several values.
    Tuple(Vec<Expr>),
}

/// A named condition of a rule; its name shows in explanations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Condition {
    /// The name.
    pub name: String,
    /// A boolean expression.
    pub expr: Expr,
}

/// One step of computing an amount, in the order the pack states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountStep {
    /// The gross award (money).
    Award(Expr),
    /// A named multiplier: 退坡 schedule, 投资补助系数.
    Scale {
        /// Its name, shown in explanations.
        name: String,
        /// A ratio.
        factor: Expr,
    },
    /// A cap on the line.
    Cap(Expr),
    /// A cap on the total of all lines (any rule, any year) that share a key: 单个项目最高2000万.
    CapPer {
        /// The cap.
        cap: Expr,
        /// The key.
        key: Vec<Expr>,
    },
}

/// How a rule decides its amount.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// The amount is computed.
    Automatic,
    /// 最高X: decided by review, never above the cap.
    Review {
        /// The cap.
        cap: Expr,
        /// The approved amount, when the facts give one.
        approved: Option<Expr>,
    },
    /// 一事一议: decided case by case; no amount.
    CaseByCase,
    /// The document fixes no amount; why.
    Pending(String),
}

impl Mode {
    /// A short name for summaries.
    pub fn name(&self) -> &'static str {
        match self {
            Mode::Automatic => "automatic",
            Mode::Review { .. } => "review",
            Mode::CaseByCase => "case_by_case",
            Mode::Pending(_) => "pending",
        }
    }
}

/// 就高不重复: lines with the same group and key pay only the highest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exclusive {
    /// The group, shared by the rules that pay the same achievement.
    pub group: String,
    /// The key of the achievement.
    pub key: Vec<Expr>,
    /// 补差: a later, higher award pays the difference to what was paid.
    pub top_up: bool,
}

/// How often a rule pays the same subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recurrence {
    /// In every year its conditions hold.
    EachYear,
    /// 一次性: once ever.
    Once,
    /// 连续N年每年: each year for N years from the first award.
    Yearly(u32),
}

/// A rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rule {
    /// Its id.
    pub id: String,
    /// A label, if given.
    pub title: Option<String>,
    /// What it is about.
    pub subject: EntityKind,
    /// The variable bound to the subject.
    pub var: String,
    /// Where the policy says it.
    pub citation: Citation,
    /// Local definitions, in order.
    pub lets: Vec<(String, Expr)>,
    /// Conditions, all of which must hold.
    pub conditions: Vec<Condition>,
    /// The amount pipeline.
    pub amount: Vec<AmountStep>,
    /// How the amount is decided.
    pub mode: Mode,
    /// 就高不重复.
    pub exclusive: Option<Exclusive>,
    /// How often it pays.
    pub recurrence: Recurrence,
    /// 责任单位.
    pub departments: Vec<String>,
    /// 专项资金.
    pub fund: Option<String>,
    /// The city's part of the cost as a ratio (市区共担), when the pack states it: a percent; the
    /// amounts it gives are a line's `city_share` and `county_share`.
    pub city_ratio: Option<Expr>,
    /// A narrower validity than the pack's.
    pub effective: Option<(Date, Date)>,
    /// Tags, for principles.
    pub tags: Vec<String>,
}

/// A numeric target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    /// Its id.
    pub id: String,
    /// A label.
    pub title: Option<String>,
    /// Where the policy says it.
    pub citation: Citation,
    /// How the value compares to the goal.
    pub op: CmpOp,
    /// The goal; with `relative_to`, a share of that year's value (倍增 is 200% of 2019).
    pub goal: Value,
    /// The year whose value the goal is a share of, when the policy states no number (3个倍增).
    pub relative_to: Option<i32>,
    /// The year by which it is to be met (the last year of a yearly floor).
    pub by: i32,
    /// A yearly floor's first year: the goal must hold in every year from it to `by` (每年).
    pub yearly_from: Option<i32>,
    /// The baseline value and its year, if stated.
    pub baseline: Option<(Value, i32)>,
    /// How the facts give the value; `None` means it is entered as an indicator.
    pub measure: Option<Expr>,
    /// 责任单位.
    pub departments: Vec<String>,
}

/// A principle checked over a run: at least a share of a fund goes to rules with a tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Principle {
    /// Its id.
    pub id: String,
    /// A label.
    pub title: Option<String>,
    /// Where the policy says it.
    pub citation: Citation,
    /// The fund.
    pub fund: String,
    /// The tag.
    pub tag: String,
    /// The comparison.
    pub op: CmpOp,
    /// The share.
    pub share: rust_decimal::Decimal,
}
