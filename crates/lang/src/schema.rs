//! The facts a rule can read: the fields of each entity kind, their types and Chinese labels.
//!
//! This is the language's view of the canonical data model; the facts crate fills these columns.
//! Fields marked yearly have one value per enterprise and year (from the enterprise-years table);
//! reading one gives the evaluation year's value, `x @ y` reads another year.

use crate::types::{EntityKind, Type};

/// The type of a field, before catalog enums are looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A plain type.
    Bool,
    /// whole number
    Int,
    /// exact decimal
    Decimal,
    /// yuan
    Money,
    /// ratio
    Percent,
    /// calendar year
    Year,
    /// calendar date
    Date,
    /// text
    Text,
    /// A catalog enum, by name.
    Enum(&'static str),
    /// The record this one belongs to.
    Parent(EntityKind),
    /// The records that belong to this one.
    Children(EntityKind),
}

impl FieldType {
    /// The language type of the field.
    pub fn to_type(self) -> Type {
        match self {
            FieldType::Bool => Type::Bool,
            FieldType::Int => Type::Int,
            FieldType::Decimal => Type::Decimal,
            FieldType::Money => Type::Money,
            FieldType::Percent => Type::Percent,
            FieldType::Year => Type::Year,
            FieldType::Date => Type::Date,
            FieldType::Text => Type::Text,
            FieldType::Enum(name) => Type::Enum(name.to_string()),
            FieldType::Parent(k) => Type::Entity(k),
            FieldType::Children(k) => Type::List(k),
        }
    }
}

/// A field of an entity kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The name used in rules (`revenue`).
    pub name: &'static str,
    /// The Chinese label used in explanations (营业收入).
    pub label: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// Whether it has a value per year.
    pub yearly: bool,
}

const fn f(name: &'static str, label: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        label,
        ty,
        yearly: false,
    }
}

const fn y(name: &'static str, label: &'static str, ty: FieldType) -> Field {
    Field {
        name,
        label,
        ty,
        yearly: true,
    }
}

use EntityKind as K;
use FieldType as T;

const ENTERPRISE: &[Field] = &[
    f("uscc", "统一社会信用代码", T::Text),
    f("name", "企业名称", T::Text),
    f("county", "所在县（市、区）", T::Enum("county")),
    f("industry", "国民经济行业代码", T::Text),
    f("manufacturing", "制造业企业", T::Bool),
    f("industrial", "工业企业", T::Bool),
    f("cluster", "所属产业集群", T::Enum("cluster")),
    f("emerging", "所属新兴产业", T::Enum("emerging")),
    f("chain", "所属产业链", T::Enum("chain")),
    y("above_scale", "规上企业", T::Bool),
    y("revenue", "营业收入", T::Money),
    y("output", "工业总产值", T::Money),
    y("value_added", "工业增加值", T::Money),
    y("tax_paid", "实缴税收", T::Money),
    y("local_contribution", "地方贡献", T::Money),
    y("private500_rank", "全国民营500强排名", T::Int),
    y("performance_leader", "重点行业绩效评价领跑企业", T::Bool),
    f("recognitions", "认定", T::Children(K::Recognition)),
    f("projects", "项目", T::Children(K::Project)),
    f("parcels", "出让地块", T::Children(K::LandParcel)),
];

const RECOGNITION: &[Field] = &[
    f("id", "认定编号", T::Text),
    f("enterprise", "企业", T::Parent(K::Enterprise)),
    f("kind", "认定类别", T::Enum("recognition_kind")),
    f("level", "级别", T::Enum("level")),
    f("item", "认定对象（产品、项目或平台）", T::Text),
    f("year", "认定年度", T::Year),
    f("granted_amount", "上级资助额度", T::Money),
    f("approved_amount", "核定金额", T::Money),
];

const PROJECT: &[Field] = &[
    f("id", "项目编号", T::Text),
    f("enterprise", "企业", T::Parent(K::Enterprise)),
    f("name", "项目名称", T::Text),
    f("kind", "项目类别", T::Enum("project_kind")),
    f("level", "级别", T::Enum("level")),
    f("year", "立项年度", T::Year),
    f("investment", "项目投资额", T::Money),
    f("funds_arrived", "年到账资金", T::Money),
    f("foreign_usd", "外资金额（美元）", T::Decimal),
    f("global_leader", "世界500强或全球行业龙头投资", T::Bool),
    f("progress", "实施进度", T::Percent),
    f("design_fee", "设计服务费", T::Money),
    f("approved_amount", "核定金额", T::Money),
];

const PARK: &[Field] = &[
    f("id", "园区编号", T::Text),
    f("name", "园区名称", T::Text),
    f("county", "所在县（市、区）", T::Enum("county")),
    f("year", "增容完成年度", T::Year),
    f("land_area", "用地面积（平方米）", T::Decimal),
    f("floor_area_before", "增容前建筑面积（平方米）", T::Decimal),
    f("floor_area_after", "增容后建筑面积（平方米）", T::Decimal),
    f("approved_amount", "核定金额", T::Money),
];

const ORGANISATION: &[Field] = &[
    f("id", "机构编号", T::Text),
    f("name", "机构名称", T::Text),
    f("kind", "机构类别", T::Enum("org_kind")),
    f("level", "级别", T::Enum("level")),
    f("county", "所在县（市、区）", T::Enum("county")),
    f("year", "认定年度", T::Year),
    f("city_registered", "注册在市本级", T::Bool),
    f("legal_person", "具有独立法人资格", T::Bool),
    f("assessed", "考核合格", T::Bool),
    f("granted_amount", "上级资助额度", T::Money),
    f("approved_amount", "核定金额", T::Money),
];

const LAND_PARCEL: &[Field] = &[
    f("id", "地块编号", T::Text),
    f("enterprise", "企业", T::Parent(K::Enterprise)),
    f("year", "出让年度", T::Year),
    f("area", "出让用地面积（平方米）", T::Decimal),
    f("far", "容积率", T::Decimal),
    f("completed", "已建成", T::Bool),
    f("approved_amount", "核定金额", T::Money),
];

/// The fields of an entity kind.
pub fn fields(kind: EntityKind) -> &'static [Field] {
    match kind {
        K::Enterprise => ENTERPRISE,
        K::Recognition => RECOGNITION,
        K::Project => PROJECT,
        K::Park => PARK,
        K::Organisation => ORGANISATION,
        K::LandParcel => LAND_PARCEL,
    }
}

/// The field `name` of `kind`, if it has one.
pub fn field(kind: EntityKind, name: &str) -> Option<&'static Field> {
    fields(kind).iter().find(|f| f.name == name)
}

/// The collection of every record of a kind, readable in targets and aggregates (`enterprises`).
pub fn collection(name: &str) -> Option<EntityKind> {
    Some(match name {
        "enterprises" => K::Enterprise,
        "recognitions" => K::Recognition,
        "projects" => K::Project,
        "parks" => K::Park,
        "organisations" => K::Organisation,
        "land_parcels" => K::LandParcel,
        _ => return None,
    })
}

/// The table that holds the records of a kind.
pub fn table_name(kind: EntityKind) -> &'static str {
    match kind {
        K::Enterprise => "enterprises",
        K::Recognition => "recognitions",
        K::Project => "projects",
        K::Park => "parks",
        K::Organisation => "organisations",
        K::LandParcel => "land_parcels",
    }
}

/// The table of enterprises' yearly fields: one row per enterprise and year.
pub const ENTERPRISE_YEARS: &str = "enterprise_years";
