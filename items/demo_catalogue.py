"""Demo data for the item catalogue (事项清单) of 湖州市: topics, items and bundles.

Pure Python data for the demo seeding; it imports nothing from Django.

The codes are illustrative demo codes in the shape of GB/T 39554.1-2020: a 12-character basic code (type,
department, item, sub-item), a 32-character implementation code (the implementing department's 统一社会信用代码
as portal.demo gives it, then the basic code and a business-item number) and a 35-character business-item code.
They are not the codes of the real 浙江省 catalogue, and the portal stores them as opaque strings.

Item names, legal bases (设定依据), statutory limits, materials and fees follow what Chinese authorities publish:
national laws, State Council regulations, ministry rules and the practice of Zhejiang's service halls. The
promised limits, visits and online depth are typical of Zhejiang's "最多跑一次" catalogues; they are demo values,
not 湖州's published figures. Statutory limits are in working days where the law says 工作日, otherwise as the
law states them (see each statutory_note).
"""

from __future__ import annotations

# The demo 统一社会信用代码 of each department, as portal.demo.department_uscc gives them (same order).
DEPARTMENT_USCC = {
    "ZWB": "113305000000000019",
    "SCJG": "11330500000000002C",
    "ZJJ": "11330500000000003F",
    "ZRZY": "11330500000000004J",
    "STHJ": "11330500000000005M",
    "WJW": "11330500000000006Q",
    "GAJ": "11330500000000007U",
    "MZJ": "11330500000000008Y",
    "JTJ": "113305000000000092",
    "SLJ": "113305000000000107",
    "XFZD": "11330500000000011A",
    "RSJ": "11330500000000012D",
    "FGW": "11330500000000013G",
    "ZHZF": "11330500000000014K",
    "WGLJ": "11330500000000015N",
}
DEPARTMENT_NUMBERS = {code: number for number, code in enumerate(DEPARTMENT_USCC, start=1)}

# Two-digit type codes used in the demo basic codes (illustrative).
ITEM_TYPE_CODES = {
    "licensing": "01",
    "payment": "05",
    "confirmation": "07",
    "reward": "08",
    "adjudication": "09",
    "other_power": "10",
    "filing": "11",
    "public_service": "20",
}
RESULT_TYPES = ("licence", "approval_document", "certificate", "other")
MATERIAL_FORMS = ("original", "copy", "electronic")
MATERIAL_SOURCES = ("applicant", "authority", "licence_library")
FIELD_TYPES = ("text", "number", "date", "choice", "id_number", "uscc", "address", "phone", "file")

# Remedies. Since the 2023 revision of 行政复议法 (in force 2024-01-01) the reconsideration body for a city
# department is the city government (Art. 24); 消防救援机构 are vertically led, so the next level up hears it.
RECONSIDERATION_CITY = "湖州市人民政府（自知道或者应当知道该行政行为之日起60日内提出）"
RECONSIDERATION_COUNTY = "办理地所在区、县人民政府（自知道或者应当知道该行政行为之日起60日内提出）"
RECONSIDERATION_FIRE = "浙江省消防救援总队（自知道或者应当知道该行政行为之日起60日内提出）"
LITIGATION_CITY = "湖州市吴兴区人民法院（自知道或者应当知道作出行政行为之日起6个月内提起）"
LITIGATION_COUNTY = "办理地所在区、县人民法院（自知道或者应当知道作出行政行为之日起6个月内提起）"

# Without joint departments the rule is moot; this is what the portal assumes by default (DOMAIN.md §5).
JOINT_RULE_DEFAULT = {"all_must_approve": True, "one_veto": True, "timeout_consent": False, "absence_consent": False}
# Opinions asked of other departments (征求意见): silence within the period counts as consent (超时默许、缺席默认).
JOINT_RULE_CONSULT = {"all_must_approve": False, "one_veto": False, "timeout_consent": True, "absence_consent": True}
# Joint approval (会签) where any department may veto, but a late or absent department is taken to agree.
JOINT_RULE_COUNTERSIGN = {"all_must_approve": True, "one_veto": True, "timeout_consent": True, "absence_consent": True}

ONLINE = "浙江政务服务网（浙里办）"
WINDOW = "湖州市政务服务中心综合受理窗口"


def _codes(department: str, item_type: str, seq: int, sub: int, variant: int) -> tuple[str, str, str]:
    basic = f"{ITEM_TYPE_CODES[item_type]}0{DEPARTMENT_NUMBERS[department]:02d}{seq:04d}{sub:03d}"
    implementation = f"{DEPARTMENT_USCC[department]}{basic}{variant:02d}"
    business = f"{implementation}{max(variant, 1):03d}"
    return basic, implementation, business


def _item(department: str, seq: int, item_type: str, name: str, *, sub: int = 0, variant: int = 0,
          parent: dict | None = None, **fields) -> dict:
    """One catalogue item; the codes are derived from the department, type and numbers."""
    basic, implementation, business = _codes(department, item_type, seq, sub, variant)
    level = fields.pop("level", "city")
    reconsideration = RECONSIDERATION_FIRE if department == "XFZD" else (
        RECONSIDERATION_COUNTY if level == "county" else RECONSIDERATION_CITY)
    litigation = LITIGATION_COUNTY if level == "county" else LITIGATION_CITY
    item = {
        "department": department,
        "joint_departments": fields.pop("joint_departments", []),
        "basic_code": basic,
        "implementation_code": implementation,
        "business_code": business,
    }
    if parent is not None:
        item["parent_implementation_code"] = parent["implementation_code"]
    item.update({
        "name": name,
        "item_type": item_type,
        "legal_basis": fields.pop("legal_basis"),
        "level": level,
        "service_object": fields.pop("service_object"),
        "conditions": fields.pop("conditions"),
        "statutory_limit": fields.pop("statutory_limit"),
        "statutory_note": fields.pop("statutory_note"),
        "promised_limit": fields.pop("promised_limit"),
        "promised_note": fields.pop("promised_note"),
        "instant": fields.pop("instant", False),
        "visits": fields.pop("visits", 0),
        "visits_reason": fields.pop("visits_reason", ""),
        "online_depth": fields.pop("online_depth", 4),
        "citywide": fields.pop("citywide", False),
        "id_card_only": fields.pop("id_card_only", False),
        "appointment": fields.pop("appointment", True),
        "express": fields.pop("express", True),
        "online_payment": fields.pop("online_payment", False),
        "fee": fields.pop("fee", None),
        "result_type": fields.pop("result_type"),
        "result_name": fields.pop("result_name"),
        "reconsideration": fields.pop("reconsideration", reconsideration),
        "litigation": fields.pop("litigation", litigation),
        "topics": fields.pop("topics"),
        "joint_rule": dict(fields.pop("joint_rule", JOINT_RULE_DEFAULT)),
        "steps": fields.pop("steps"),
        "materials": fields.pop("materials"),
        "form_fields": fields.pop("form_fields"),
    })
    if fields:
        raise TypeError(f"{name}: unknown item fields {sorted(fields)}")
    return item


def _s(name: str, description: str) -> dict:
    return {"name": name, "description": description}


def _m(name: str, standard: str, *, required: bool = True, form: str = "original", copies: int | None = None,
       source: str = "applicant", missing: bool = False, commitment: bool = False) -> dict:
    """A material; paper copies default to 1 (0 for electronic)."""
    if copies is None:
        copies = 0 if form == "electronic" else 1
    return {"name": name, "required": required, "form": form, "copies": copies, "source": source,
            "standard": standard, "may_be_missing": missing, "commitment": commitment}


def _f(key: str, label: str, type_: str = "text", *, required: bool = True, help_: str = "",
       choices: list[str] | None = None, **extra) -> dict:
    field = {"key": key, "label": label, "type": type_, "required": required, "help": help_}
    if choices is not None:
        field["choices"] = list(choices)
    field.update(extra)
    return field


# ---------------------------------------------------------------------------------------------------------------
# Shared form fields: the same key in every item, so that a bundle's one form can merge them.

def f_applicant_name(label: str = "申请人名称", help_: str = "与营业执照（登记证书）上的名称一致") -> dict:
    return _f("applicant_name", label, max_length=100, help_=help_)


def f_person_name(label: str = "申请人姓名") -> dict:
    return _f("applicant_name", label, max_length=50, help_="与居民身份证上的姓名一致")


def f_uscc(required: bool = True) -> dict:
    return _f("uscc", "统一社会信用代码", "uscc", required=required, help_="18位，见营业执照")


def f_legal_representative(label: str = "法定代表人（负责人）") -> dict:
    return _f("legal_representative", label, max_length=50)


def f_id_number(label: str = "公民身份号码", help_: str = "18位居民身份证号码") -> dict:
    return _f("id_number", label, "id_number", help_=help_)


def f_contact_name() -> dict:
    return _f("contact_name", "联系人", max_length=50, help_="办理过程中接收通知的人")


def f_contact_phone() -> dict:
    return _f("contact_phone", "联系电话", "phone", help_="用于接收受理、办结短信")


def f_business_address(label: str = "经营场所", help_: str = "具体到门牌号，与不动产权证或租赁合同一致") -> dict:
    return _f("business_address", label, "address", help_=help_)


def f_residence_address(label: str = "现居住地址") -> dict:
    return _f("residence_address", label, "address", help_="湖州市内详细地址")


def f_project_code() -> dict:
    return _f("project_code", "投资项目代码", max_length=24,
              help_="浙江省投资项目在线审批监管平台赋予的项目代码，如 2025-330502-29-03-123456")


def f_project_name() -> dict:
    return _f("project_name", "项目名称", max_length=100, help_="与投资项目备案（核准）文件一致")


def f_construction_site() -> dict:
    return _f("construction_site", "建设地点", "address", help_="项目所在地块的坐落")


def f_land_area(required: bool = True) -> dict:
    return _f("land_area", "用地面积（平方米）", "number", required=required, min=0)


def f_building_area(required: bool = True) -> dict:
    return _f("building_area", "总建筑面积（平方米）", "number", required=required, min=0)


def f_total_investment(required: bool = True) -> dict:
    return _f("total_investment", "总投资（万元）", "number", required=required, min=0)


def f_attachments(label: str = "其他补充材料") -> dict:
    return _f("attachments", label, "file", required=False, help_="PDF 或 JPG，单个文件不超过 20MB")


# Common shapes of steps.

def steps_standard(review: str, *, site: str | None = None, decide: str | None = None,
                   deliver: str | None = None) -> list[dict]:
    steps = [
        _s("申请", f"申请人通过{ONLINE}在线提交，或到{WINDOW}提交申请材料。"),
        _s("受理", "综合窗口进行形式审查：材料齐全、符合法定形式的当场受理并出具受理通知书；"
                  "不齐全的当场或5个工作日内一次性告知需补正的全部内容。"),
        _s("审查", review),
    ]
    if site:
        steps.append(_s("现场核查", site))
    steps.append(_s("决定", decide or "作出准予或不予许可的书面决定；不予许可的说明理由，"
                                       "并告知申请行政复议或提起行政诉讼的权利。"))
    steps.append(_s("送达", deliver or "电子证照即时归集至证照库；纸质证照可到综合窗口领取或选择免费邮寄。"))
    return steps


def steps_instant(check: str, result: str) -> list[dict]:
    return [
        _s("申请", f"通过{ONLINE}在线提交，或到窗口现场提交材料。"),
        _s("受理审核", check),
        _s("办结", result),
    ]


# ---------------------------------------------------------------------------------------------------------------

TOPICS = [
    {"name": "企业开办", "kind": "theme", "audience": "enterprise"},
    {"name": "餐饮住宿", "kind": "theme", "audience": "enterprise"},
    {"name": "医疗卫生", "kind": "theme", "audience": "enterprise"},
    {"name": "交通运输", "kind": "theme", "audience": "enterprise"},
    {"name": "工程建设", "kind": "theme", "audience": "enterprise"},
    {"name": "环境保护", "kind": "theme", "audience": "enterprise"},
    {"name": "水利水务", "kind": "theme", "audience": "enterprise"},
    {"name": "文化旅游", "kind": "theme", "audience": "enterprise"},
    {"name": "社会事务", "kind": "theme", "audience": "person"},
    {"name": "公安服务", "kind": "theme", "audience": "person"},
    {"name": "社会保障", "kind": "theme", "audience": "person"},
    {"name": "婚姻生育", "kind": "theme", "audience": "person"},
    {"name": "出生", "kind": "life_event", "audience": "person"},
    {"name": "上学", "kind": "life_event", "audience": "person"},
    {"name": "就业", "kind": "life_event", "audience": "person"},
    {"name": "结婚", "kind": "life_event", "audience": "person"},
    {"name": "购房", "kind": "life_event", "audience": "person"},
    {"name": "驾车出行", "kind": "life_event", "audience": "person"},
    {"name": "退休", "kind": "life_event", "audience": "person"},
    {"name": "身后事", "kind": "life_event", "audience": "person"},
    {"name": "开办企业", "kind": "life_event", "audience": "enterprise"},
    {"name": "经营许可", "kind": "life_event", "audience": "enterprise"},
    {"name": "项目投资", "kind": "life_event", "audience": "enterprise"},
    {"name": "变更注销", "kind": "life_event", "audience": "enterprise"},
]


# ===============================================================================================================
# 市场监管局 (SCJG)

def _food_basis() -> str:
    return ("《中华人民共和国食品安全法》第三十五条第一款；"
            "《食品经营许可和备案管理办法》（国家市场监督管理总局令第78号）")


def _food_fields() -> list[dict]:
    return [
        f_applicant_name("经营者名称"),
        f_uscc(),
        f_legal_representative(),
        f_business_address(),
        _f("food_operator_type", "主体业态", "choice",
           choices=["食品销售经营者", "餐饮服务经营者", "单位食堂"]),
        _f("food_business_items", "经营项目", "choice",
           choices=["散装食品销售", "热食类食品制售", "冷食类食品制售", "生食类食品制售",
                    "半成品制售", "自制饮品制售", "特殊食品销售"],
           help_="可在申请书中勾选多项，此处选择主要项目"),
        _f("business_area", "经营场所面积（平方米）", "number", min=0),
        f_contact_phone(),
    ]


FOOD_LICENCE = _item(
    "SCJG", 1, "licensing", "食品经营许可",
    legal_basis=_food_basis(),
    service_object="both",
    conditions="从事食品销售和餐饮服务活动的，应当依法取得食品经营许可；申请人已取得营业执照等合法主体资格，"
               "具有与经营的食品品种、数量相适应的经营场所、设施设备、食品安全管理人员和规章制度。"
               "仅销售预包装食品的，办理备案即可，无需申请许可。",
    statutory_limit=10,
    statutory_note="自受理之日起10个工作日内作出决定；因特殊原因需要延长的，经负责人批准可延长5个工作日，"
                   "并告知申请人理由（《食品经营许可和备案管理办法》）。",
    promised_limit=3,
    promised_note="实行告知承诺的当场发证；需现场核查的3个工作日内办结。",
    citywide=True,
    result_type="licence",
    result_name="食品经营许可证（有效期5年）",
    topics=["餐饮住宿", "企业开办", "经营许可"],
    steps=steps_standard("审查人员对申请材料的实质内容进行审核，必要时对经营场所进行现场核查。",
                         site="核查人员不少于2人，出示执法证件，填写现场核查表并由申请人签字确认。"),
    materials=[
        _m("食品经营许可申请书", "在线填报，按所选主体业态和经营项目如实填写并电子签名", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取，无需提交", form="electronic", source="licence_library"),
        _m("与食品经营相适应的主要设备设施、经营布局、操作流程等文件",
           "含经营场所平面布局图，标明功能区和设备位置", form="electronic"),
        _m("食品安全自查、从业人员健康管理、进货查验记录、食品安全事故处置等保证食品安全的规章制度",
           "加盖公章或经营者签字", form="electronic", missing=True),
        _m("授权委托书及代理人身份证件", "委托他人办理时提交", required=False, form="copy"),
    ],
    form_fields=_food_fields(),
)

FOOD_LICENCE_NEW = _item(
    "SCJG", 1, "licensing", "食品经营许可（新办）", variant=1, parent=FOOD_LICENCE,
    legal_basis=_food_basis(),
    service_object="both",
    conditions="首次从事食品销售或餐饮服务（仅销售预包装食品的除外），已取得营业执照，经营场所、设施设备、"
               "食品安全管理人员和规章制度符合《食品经营许可审查通则》的要求。",
    statutory_limit=10,
    statutory_note="自受理之日起10个工作日内作出决定，因特殊原因可延长5个工作日（《食品经营许可和备案管理办法》）。",
    promised_limit=3,
    promised_note="选择告知承诺方式的当场发证、事后核查；其余3个工作日内办结。",
    citywide=True,
    result_type="licence",
    result_name="食品经营许可证（有效期5年）",
    topics=["餐饮住宿", "企业开办", "开办企业", "经营许可"],
    steps=steps_standard("审查申请材料，对经营场所是否与申请材料一致进行现场核查（告知承诺的事后核查）。",
                         site="核查人员不少于2人，依据《食品经营许可审查通则》逐项核查并记录。"),
    materials=[
        _m("食品经营许可申请书", "在线填报并电子签名", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取，无需提交", form="electronic", source="licence_library"),
        _m("与食品经营相适应的主要设备设施、经营布局、操作流程等文件",
           "平面布局图须标明粗加工、切配、烹饪、餐用具清洗消毒等功能区", form="electronic"),
        _m("保证食品安全的规章制度", "含从业人员健康管理、进货查验、食品安全自查等制度",
           form="electronic", missing=True),
        _m("食品安全管理人员基本情况", "姓名、身份证号及培训考核情况", form="electronic", missing=True),
        _m("告知承诺书", "选择告知承诺方式办理时签署，承诺经营条件符合要求", required=False,
           form="electronic", commitment=True),
    ],
    form_fields=_food_fields(),
)

FOOD_LICENCE_CHANGE = _item(
    "SCJG", 1, "licensing", "食品经营许可（变更）", variant=2, parent=FOOD_LICENCE,
    legal_basis=_food_basis(),
    service_object="both",
    conditions="食品经营许可证载明的许可事项（如经营场所布局、主体业态、经营项目）发生变化的，"
               "应当在变化后10个工作日内向原发证部门申请变更；经营场所迁址的应重新申请许可。",
    statutory_limit=10,
    statutory_note="自受理之日起10个工作日内作出决定，可延长5个工作日（《食品经营许可和备案管理办法》）。",
    promised_limit=1,
    promised_note="不改变设施和布局的变更当场办结；需现场核查的1个工作日内办结。",
    citywide=True,
    result_type="licence",
    result_name="食品经营许可证（变更后，有效期不变）",
    topics=["餐饮住宿", "经营许可", "变更注销"],
    steps=steps_standard("审查变更事项及相关材料；变更涉及设施设备或布局调整的，进行现场核查。"),
    materials=[
        _m("食品经营许可变更申请书", "在线填报变更前后事项", form="electronic"),
        _m("食品经营许可证", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("与变更食品经营许可事项有关的其他材料", "如调整后的平面布局图、设备清单", form="electronic"),
    ],
    form_fields=[*_food_fields(), _f("change_items", "变更事项", max_length=500, help_="写明变更前后内容")],
)

FOOD_LICENCE_RENEW = _item(
    "SCJG", 1, "licensing", "食品经营许可（延续）", variant=3, parent=FOOD_LICENCE,
    legal_basis=_food_basis() + "；《中华人民共和国行政许可法》第五十条",
    service_object="both",
    conditions="食品经营许可有效期届满需要继续经营的，应当在有效期届满前按规定时限向原发证部门提出延续申请；"
               "许可证已过期的，应当重新申请许可。",
    statutory_limit=10,
    statutory_note="原发证部门在有效期届满前作出是否准予延续的决定；逾期未作决定的，视为准予延续"
                   "（《行政许可法》第五十条）。",
    promised_limit=1,
    promised_note="经营条件未发生变化的，承诺1个工作日内办结。",
    citywide=True,
    result_type="licence",
    result_name="食品经营许可证（延续后有效期5年）",
    topics=["餐饮住宿", "经营许可"],
    steps=steps_standard("审查经营条件是否发生变化；有变化的进行现场核查。"),
    materials=[
        _m("食品经营许可延续申请书", "在线填报", form="electronic"),
        _m("食品经营许可证", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("经营条件未发生变化的声明或与延续事项有关的其他材料", "经营条件有变化的，说明变化情况",
           form="electronic", commitment=True),
    ],
    form_fields=_food_fields(),
)

FOOD_LICENCE_CANCEL = _item(
    "SCJG", 1, "licensing", "食品经营许可（注销）", variant=4, parent=FOOD_LICENCE,
    legal_basis=_food_basis() + "；《中华人民共和国行政许可法》第七十条",
    service_object="both",
    conditions="食品经营者终止食品经营，食品经营许可被撤回、撤销或者营业执照被依法吊销的，"
               "应当申请办理注销手续。",
    statutory_limit=0,
    statutory_note="材料齐全的当场办理注销。",
    promised_limit=0,
    promised_note="即办。",
    instant=True,
    citywide=True,
    result_type="other",
    result_name="食品经营许可注销通知（电子证照同步注销）",
    topics=["餐饮住宿", "变更注销"],
    steps=steps_instant("核对许可证信息及注销原因。", "当场办结，电子证照库同步注销，结果短信告知。"),
    materials=[
        _m("食品经营许可注销申请书", "在线填报并电子签名", form="electronic"),
        _m("食品经营许可证", "由系统从电子证照库调取", form="electronic", source="licence_library"),
    ],
    form_fields=[f_applicant_name("经营者名称"), f_uscc(),
                 _f("licence_number", "食品经营许可证编号", max_length=14, help_="JY 开头的14位编号"),
                 _f("cancel_reason", "注销原因", "choice",
                    choices=["终止食品经营", "营业执照注销", "其他"]),
                 f_contact_phone()],
)

COMPANY_REGISTRATION = _item(
    "SCJG", 2, "licensing", "企业设立登记",
    legal_basis="《中华人民共和国公司法》第二十九条；《中华人民共和国市场主体登记管理条例》（国务院令第746号）"
                "第三条、第十九条；《中华人民共和国市场主体登记管理条例实施细则》（国家市场监督管理总局令第52号）",
    service_object="both",
    conditions="拟设立的公司、非公司企业法人、合伙企业或个人独资企业，名称经自主申报、住所（经营场所）真实有效，"
               "出资和组织机构符合法律规定；经营范围涉及登记前置审批的，已取得批准文件。",
    statutory_limit=3,
    statutory_note="材料齐全、符合法定形式的当场登记；不能当场登记的，3个工作日内予以登记；情形复杂的，"
                   "经登记机关负责人批准可再延长3个工作日（《市场主体登记管理条例》第十九条）。",
    promised_limit=1,
    promised_note="企业开办“一件事”全程网办，营业执照、公章刻制、发票申领、社保和公积金登记1个工作日内办结。",
    citywide=True,
    result_type="licence",
    result_name="营业执照（电子营业执照同步发放）",
    topics=["企业开办", "开办企业"],
    steps=[
        _s("名称自主申报", f"通过{ONLINE}“企业开办一件事”自主申报企业名称，系统即时比对。"),
        _s("填报申请", "在线填报设立登记信息，上传章程等材料，股东和法定代表人实名认证后电子签名。"),
        _s("审核", "登记机关对申请材料进行形式审查。"),
        _s("核准登记", "材料齐全、符合法定形式的予以登记，同步生成统一社会信用代码。"),
        _s("领照", "电子营业执照即时下载；纸质执照可窗口自助打印或免费邮寄。"),
    ],
    materials=[
        _m("公司登记（备案）申请书", "在线填报，法定代表人电子签名", form="electronic"),
        _m("公司章程", "全体股东（发起人）签署", form="electronic"),
        _m("股东（发起人）的主体资格证明或者自然人身份证件", "企业股东的营业执照由系统调取",
           form="electronic"),
        _m("法定代表人、董事、监事和经理的任职文件及身份证件", "任职文件由股东会决议或章程载明",
           form="electronic"),
        _m("住所（经营场所）相关文件", "浙江实行住所申报承诺制，可签署承诺书替代产权证明",
           form="electronic", commitment=True),
        _m("前置审批文件或证件", "经营范围涉及登记前置许可时提交", required=False, form="copy"),
        _m("指定代表或者共同委托代理人授权委托书", "委托他人办理时提交", required=False, form="electronic"),
    ],
    form_fields=[
        f_applicant_name("企业名称", "已自主申报通过的企业名称"),
        _f("enterprise_type", "企业类型", "choice",
           choices=["有限责任公司（自然人独资）", "有限责任公司（自然人投资或控股）", "股份有限公司",
                    "个人独资企业", "合伙企业"]),
        _f("registered_capital", "注册资本（万元）", "number", min=0,
           help_="有限责任公司股东认缴出资应在公司成立之日起5年内缴足"),
        f_legal_representative("法定代表人"),
        f_id_number("法定代表人公民身份号码"),
        f_business_address("住所", "企业住所，具体到门牌号"),
        _f("business_scope", "经营范围", max_length=2000, help_="从经营范围规范表述目录中选择"),
        f_contact_phone(),
    ],
)

INDIVIDUAL_BUSINESS = _item(
    "SCJG", 3, "licensing", "个体工商户设立登记",
    legal_basis="《促进个体工商户发展条例》（国务院令第755号）；"
                "《中华人民共和国市场主体登记管理条例》（国务院令第746号）第三条、第十九条",
    level="county",
    service_object="person",
    conditions="有经营能力的自然人或家庭从事个体工商业经营，经营场所真实，经营范围符合规定；"
               "经营范围涉及许可的，取得营业执照后办理相关许可。",
    statutory_limit=0,
    statutory_note="材料齐全、符合法定形式的当场登记（《市场主体登记管理条例》第十九条）。",
    promised_limit=0,
    promised_note="即办，凭身份证即可在线办理。",
    instant=True,
    citywide=True,
    id_card_only=True,
    result_type="licence",
    result_name="营业执照（个体工商户）",
    topics=["企业开办", "开办企业"],
    steps=steps_instant("登记人员审核经营者身份、经营场所和经营范围。",
                        "当场核发营业执照，电子营业执照同步发放。"),
    materials=[
        _m("个体工商户登记（备案）申请书", "在线填报，经营者实名认证后电子签名", form="electronic"),
        _m("经营者身份证件", "通过实名认证和电子证照核验，无需提交复印件", form="electronic",
           source="licence_library"),
        _m("经营场所使用相关文件", "可签署住所（经营场所）申报承诺书替代", form="electronic", commitment=True),
    ],
    form_fields=[
        f_person_name("经营者姓名"),
        f_id_number("经营者公民身份号码"),
        _f("trade_name", "个体工商户名称", required=False, max_length=50, help_="可以不起字号名称"),
        f_business_address(),
        _f("business_scope", "经营范围", max_length=2000, help_="从经营范围规范表述目录中选择"),
        f_contact_phone(),
    ],
)

PHARMACY_LICENCE = _item(
    "SCJG", 4, "licensing", "药品零售企业许可",
    legal_basis="《中华人民共和国药品管理法》第五十一条第一款、第五十二条；"
                "《药品经营和使用质量监督管理办法》（国家市场监督管理总局令第84号）",
    service_object="enterprise",
    conditions="有依法经过资格认定的药师或者其他药学技术人员（经营处方药、甲类非处方药的应配备执业药师）；"
               "有与所经营药品相适应的营业场所、设备、仓储设施和卫生环境及质量管理人员；"
               "有保证药品质量的规章制度，符合药品经营质量管理规范要求。",
    statutory_limit=20,
    statutory_note="自受理之日起20个工作日内作出决定（《行政许可法》第四十二条）；现场检查结论为决定依据。",
    promised_limit=7,
    promised_note="含现场检查，7个工作日内办结。",
    result_type="licence",
    result_name="药品经营许可证（零售，有效期5年）",
    topics=["医疗卫生", "经营许可"],
    steps=steps_standard("审查申请材料，组织对营业场所、设施设备和质量管理体系进行现场检查。",
                         site="按药品经营质量管理规范现场检查，检查人员不少于2人。"),
    materials=[
        _m("药品经营许可证申请表", "在线填报", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("执业药师（药学技术人员）资格证书及注册证明", "与在岗人员一致", form="copy"),
        _m("经营场所、仓库的平面布置图及产权或使用权证明", "标明药品陈列区、处方药区、阴凉区",
           form="electronic"),
        _m("质量管理制度文件及主要设施设备目录", "含计算机系统、温湿度监测设备", form="electronic",
           missing=True),
        _m("申请材料真实性的自我保证声明", "法定代表人签字并加盖公章", form="electronic"),
    ],
    form_fields=[
        f_applicant_name("企业名称"),
        f_uscc(),
        f_legal_representative(),
        f_business_address("经营地址"),
        _f("pharmacy_mode", "经营方式", "choice", choices=["药品零售（单体药店）", "药品零售连锁门店"]),
        _f("drug_scope", "经营范围", "choice",
           choices=["处方药、甲类非处方药、乙类非处方药", "乙类非处方药"]),
        _f("pharmacist_name", "执业药师姓名", max_length=50),
        _f("business_area", "经营场所面积（平方米）", "number", min=0),
        f_contact_phone(),
    ],
)

SPECIAL_EQUIPMENT = _item(
    "SCJG", 5, "licensing", "特种设备使用登记",
    legal_basis="《中华人民共和国特种设备安全法》第三十三条；《特种设备安全监察条例》第二十五条；"
                "《特种设备使用管理规则》（TSG 08-2017）",
    service_object="enterprise",
    conditions="锅炉、压力容器、电梯、起重机械、场（厂）内专用机动车辆等特种设备，使用单位应当在投入使用前"
               "或者投入使用后30日内办理使用登记；需监督检验的设备已经检验合格。",
    statutory_limit=15,
    statutory_note="登记机关自受理之日起15个工作日内作出是否准予登记的决定（TSG 08-2017）。",
    promised_limit=1,
    promised_note="材料齐全的1个工作日内发证。",
    citywide=True,
    result_type="certificate",
    result_name="特种设备使用登记证",
    topics=["工程建设", "经营许可"],
    steps=steps_standard("核对设备产品资料、监督检验报告与使用单位信息。"),
    materials=[
        _m("特种设备使用登记表", "一台一表，加盖使用单位公章", copies=2),
        _m("使用单位营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("特种设备产品合格证（含产品数据表）", "与设备铭牌一致", form="copy"),
        _m("特种设备监督检验证明", "安装、改造、重大修理需监督检验的提交", form="copy", missing=True),
    ],
    form_fields=[
        f_applicant_name("使用单位名称"),
        f_uscc(),
        _f("equipment_category", "设备类别", "choice",
           choices=["锅炉", "压力容器", "电梯", "起重机械", "场（厂）内专用机动车辆", "大型游乐设施"]),
        _f("equipment_code", "设备代码", max_length=20, help_="见产品合格证"),
        _f("equipment_address", "设备使用地点", "address"),
        f_contact_phone(),
    ],
)


# ===============================================================================================================
# 住建局 (ZJJ)

def _project_fields(*extra: dict) -> list[dict]:
    """The fields every construction-project item shares, then the item's own."""
    return [
        f_project_code(),
        f_project_name(),
        f_applicant_name("建设单位名称"),
        f_uscc(),
        f_construction_site(),
        *extra,
        f_contact_name(),
        f_contact_phone(),
    ]


CONSTRUCTION_PERMIT = _item(
    "ZJJ", 1, "licensing", "建设工程施工许可证核发",
    legal_basis="《中华人民共和国建筑法》第七条、第八条；《建筑工程施工许可管理办法》"
                "（住房和城乡建设部令第18号，2021年住房和城乡建设部令第52号修正）第二条、第四条、第五条",
    service_object="enterprise",
    conditions="已办理用地批准手续；依法应当办理建设工程规划许可证的，已取得规划许可证；施工图设计文件已按规定"
               "审查合格；已确定施工企业；有满足施工需要的资金安排和保证工程质量、安全的具体措施。工程投资额"
               "在30万元以下或者建筑面积在300平方米以下的建筑工程，可以不申请施工许可证（省级可调整限额）。",
    statutory_limit=7,
    statutory_note="自收到申请之日起7日内，对符合条件的申请颁发施工许可证（《建筑法》第八条第二款）。",
    promised_limit=1,
    promised_note="通过浙江省工程建设项目审批管理系统在线办理，材料齐全的1个工作日内核发电子证照。",
    citywide=True,
    result_type="licence",
    result_name="建筑工程施工许可证（电子证照）",
    topics=["工程建设", "项目投资"],
    steps=steps_standard("审查用地、规划、施工图审查、施工和监理单位、资金和质量安全措施等条件；"
                         "建设单位承诺事项纳入事后核查。"),
    materials=[
        _m("建筑工程施工许可证申请表", "在线填报，建设单位电子签章", form="electronic"),
        _m("用地批准手续（不动产权证书或用地批准文件）", "由系统从电子证照库调取", form="electronic",
           source="licence_library"),
        _m("建设工程规划许可证", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("施工图设计文件审查合格书", "施工图联合审查系统推送，无需提交", form="electronic", source="authority"),
        _m("中标通知书及施工合同（依法必须招标的）或直接发包的施工合同", "合同已签订并在平台登记",
           form="electronic"),
        _m("建设资金已经落实承诺书", "建设单位法定代表人签署", form="electronic", commitment=True),
        _m("保证工程质量和安全的具体措施（质量安全承诺书）", "含施工组织设计中的质量安全措施",
           form="electronic", missing=True, commitment=True),
    ],
    form_fields=_project_fields(
        f_building_area(),
        f_total_investment(),
        _f("contractor_name", "施工总承包单位", max_length=100),
    ),
)

FIRE_DESIGN_REVIEW = _item(
    "ZJJ", 2, "licensing", "建设工程消防设计审查",
    legal_basis="《中华人民共和国消防法》第十一条；《建设工程消防设计审查验收管理暂行规定》"
                "（住房和城乡建设部令第51号，2023年住房和城乡建设部令第58号修正）第十四条、第二十二条",
    service_object="enterprise",
    conditions="特殊建设工程（如总建筑面积大于1万平方米的宾馆、饭店、商场、市场，大于2万平方米的体育场馆、"
               "会堂，生产、储存、装卸易燃易爆危险物品的工厂等）施工前，由建设单位申请消防设计审查；"
               "实行施工图联合审查的，消防设计技术审查已并入联合审查。其他建设工程不需申请本事项。",
    statutory_limit=15,
    statutory_note="自受理之日起15个工作日内出具书面审查意见；需组织专家评审的，专家评审时间不超过20个工作日，"
                   "不计入审查时限（《建设工程消防设计审查验收管理暂行规定》第二十二条）。",
    promised_limit=5,
    promised_note="施工图联合审查意见推送后5个工作日内出具审查意见。",
    result_type="approval_document",
    result_name="特殊建设工程消防设计审查意见书",
    topics=["工程建设", "项目投资"],
    steps=steps_standard("依据施工图联合审查中的消防设计技术审查意见，审查消防设计文件是否符合国家工程建设"
                         "消防技术标准；具有特殊消防设计情形的组织专家评审。",
                         decide="出具消防设计审查合格或不合格意见；不合格的说明理由。"),
    materials=[
        _m("消防设计审查申请表", "在线填报", form="electronic"),
        _m("消防设计文件", "施工图中的消防设计专篇及图纸，设计单位签章", form="electronic"),
        _m("施工图审查合格意见（含消防设计技术审查意见）", "施工图联合审查系统推送", form="electronic",
           source="authority"),
        _m("特殊消防设计技术资料", "具有《暂行规定》第十七条情形、需专家评审的提交", required=False,
           form="electronic"),
        _m("依法需要批准的临时性建筑的批准文件", "临时性建筑提交", required=False, form="copy"),
    ],
    form_fields=_project_fields(
        f_building_area(),
        _f("building_use", "建筑使用性质", "choice",
           choices=["厂房", "仓库", "公共建筑", "住宅", "其他"]),
        _f("building_height", "建筑高度（米）", "number", min=0),
    ),
)

FIRE_ACCEPTANCE = _item(
    "ZJJ", 3, "licensing", "特殊建设工程消防验收",
    legal_basis="《中华人民共和国消防法》第十三条第一款；《建设工程消防设计审查验收管理暂行规定》"
                "（住房和城乡建设部令第51号，2023年住房和城乡建设部令第58号修正）第二十六条",
    service_object="enterprise",
    conditions="特殊建设工程竣工后，建设单位已组织竣工验收并对工程是否符合消防要求进行查验，"
               "消防设施性能、系统功能联调联试等内容检测合格；未经消防验收或验收不合格的，禁止投入使用。",
    statutory_limit=15,
    statutory_note="自受理消防验收申请之日起15日内出具消防验收意见（《建设工程消防设计审查验收管理暂行规定》）。",
    promised_limit=7,
    promised_note="纳入联合验收，现场评定后7个工作日内出具意见。",
    result_type="approval_document",
    result_name="特殊建设工程消防验收意见书",
    topics=["工程建设", "项目投资"],
    steps=steps_standard("审查竣工验收报告和技术资料。",
                         site="组织现场评定，对建筑类别、平面布局、消防设施等进行抽样测试。",
                         decide="出具消防验收合格或不合格意见。"),
    materials=[
        _m("消防验收申请表", "在线填报", form="electronic"),
        _m("工程竣工验收报告", "建设、设计、施工、监理单位签章", form="electronic"),
        _m("涉及消防的建设工程竣工图纸", "与竣工实际一致", form="electronic"),
        _m("消防设施检测合格证明", "消防设施性能、系统功能联调联试检测报告", form="electronic", missing=True),
    ],
    form_fields=_project_fields(
        f_building_area(),
        _f("fire_review_number", "消防设计审查意见书文号", max_length=50),
    ),
)

FIRE_ACCEPTANCE_FILING = _item(
    "ZJJ", 4, "filing", "建设工程竣工验收消防备案",
    legal_basis="《中华人民共和国消防法》第十三条；《建设工程消防设计审查验收管理暂行规定》"
                "（住房和城乡建设部令第51号，2023年住房和城乡建设部令第58号修正）第四章",
    service_object="enterprise",
    conditions="特殊建设工程以外的其他建设工程，建设单位在竣工验收合格之日起5个工作日内报住房城乡建设主管部门"
               "备案；被确定为检查对象的接受抽查。",
    statutory_limit=0,
    statutory_note="备案材料齐全的当场出具备案凭证；被确定为检查对象的，按规定在15个工作日内完成检查。",
    promised_limit=0,
    promised_note="即办，在线提交后即时出具备案凭证。",
    instant=True,
    result_type="other",
    result_name="建设工程消防验收备案凭证",
    topics=["工程建设", "项目投资"],
    steps=steps_instant("审核备案材料是否齐全，系统随机确定是否抽查。",
                        "当场出具备案凭证；被抽中的告知检查安排。"),
    materials=[
        _m("消防验收备案表", "在线填报", form="electronic"),
        _m("工程竣工验收报告", "建设、设计、施工、监理单位签章", form="electronic"),
        _m("涉及消防的建设工程竣工图纸", "与竣工实际一致", form="electronic"),
    ],
    form_fields=_project_fields(
        f_building_area(),
        _f("completion_date", "竣工验收日期", "date"),
    ),
)

CIVIL_DEFENSE = _item(
    "ZJJ", 5, "licensing", "应建防空地下室的民用建筑项目报建审批",
    legal_basis="《中华人民共和国人民防空法》第二十二条；《浙江省实施〈中华人民共和国人民防空法〉办法》",
    service_object="enterprise",
    conditions="城市规划区内新建民用建筑，按规定应当同步修建防空地下室的，建设单位在施工图设计阶段申请；"
               "确因地质、地形等原因不宜修建的，经批准可以易地建设并按规定缴纳防空地下室易地建设费。",
    statutory_limit=20,
    statutory_note="适用《行政许可法》第四十二条：自受理之日起20个工作日内作出决定。",
    promised_limit=3,
    promised_note="人防设计技术审查并入施工图联合审查，联审意见推送后3个工作日内出具审批意见。",
    result_type="approval_document",
    result_name="防空地下室建设审批意见书",
    topics=["工程建设", "项目投资"],
    steps=steps_standard("审查应建面积、战时功能和防护等级是否符合人防建设标准；申请易地建设的核定易地建设面积。"),
    materials=[
        _m("人防工程报建审批申请表", "在线填报", form="electronic"),
        _m("建设工程规划许可证", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("防空地下室施工图设计文件及人防技术审查意见", "施工图联合审查系统推送", form="electronic",
           source="authority"),
        _m("易地建设申请及说明", "申请易地建设的提交，说明不宜修建的原因", required=False, form="electronic"),
    ],
    form_fields=_project_fields(
        f_building_area(),
        _f("civil_defense_area", "应建防空地下室面积（平方米）", "number", min=0),
    ),
)

COMPLETION_FILING = _item(
    "ZJJ", 6, "filing", "房屋建筑和市政基础设施工程竣工验收备案",
    legal_basis="《建设工程质量管理条例》第四十九条；《房屋建筑和市政基础设施工程竣工验收备案管理办法》"
                "（住房和城乡建设部令第2号）",
    service_object="enterprise",
    conditions="建设单位自工程竣工验收合格之日起15日内，将竣工验收报告和规划、消防等部门出具的认可文件"
               "或者准许使用文件报建设行政主管部门备案。",
    statutory_limit=0,
    statutory_note="备案机关收到备案文件、验证齐全后当场在竣工验收备案表上签署文件收讫。",
    promised_limit=0,
    promised_note="即办；纳入联合验收的，验收通过后同步完成备案。",
    instant=True,
    result_type="other",
    result_name="工程竣工验收备案表（已备案）",
    topics=["工程建设", "项目投资"],
    steps=steps_instant("验证竣工验收报告和各项认可文件是否齐全。", "当场签署备案收讫，结果推送至不动产登记。"),
    materials=[
        _m("工程竣工验收备案表", "建设单位签章", form="electronic"),
        _m("工程竣工验收报告", "含勘察、设计、施工、监理单位签署的质量合格文件", form="electronic"),
        _m("规划、消防等部门出具的认可文件或准许使用文件", "联合验收系统推送", form="electronic",
           source="authority"),
        _m("施工单位签署的工程质量保修书", "加盖施工单位公章", form="electronic"),
        _m("住宅质量保证书和住宅使用说明书", "商品住宅工程提交", required=False, form="electronic"),
    ],
    form_fields=_project_fields(
        f_building_area(),
        _f("completion_date", "竣工验收日期", "date"),
    ),
)

DRAINAGE_PERMIT = _item(
    "ZJJ", 7, "licensing", "城镇污水排入排水管网许可",
    legal_basis="《城镇排水与污水处理条例》（国务院令第641号）第二十一条；《城镇污水排入排水管网许可管理办法》"
                "（住房和城乡建设部令第21号，2022年住房和城乡建设部令第56号修正）",
    service_object="both",
    conditions="从事工业、建筑、餐饮、医疗等活动的排水户向城镇排水设施排放污水；已按规定建设预处理设施"
               "（餐饮排水户设置隔油设施），实行雨污分流，排放的污水符合国家和地方排放标准。",
    statutory_limit=20,
    statutory_note="自受理之日起20日内作出决定（《城镇污水排入排水管网许可管理办法》）。",
    promised_limit=3,
    promised_note="餐饮、洗浴等一般排水户实行告知承诺，当场发证；其他排水户3个工作日内办结。",
    citywide=True,
    result_type="licence",
    result_name="城镇污水排入排水管网许可证（有效期5年）",
    topics=["餐饮住宿", "水利水务", "经营许可"],
    steps=steps_standard("审查排水户内部管网、预处理设施和排放口设置是否符合要求。",
                         site="对排水户的预处理设施和检测井进行现场核查（告知承诺的事后核查）。"),
    materials=[
        _m("城镇污水排入排水管网许可申请表", "在线填报", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("排水户内部排水管网、专用检测井、污水排放口位置和口径的图纸及说明", "标明接入市政管网位置",
           form="electronic"),
        _m("预处理设施的有关材料", "隔油池、沉淀池等设施的型号和处理能力", form="electronic", missing=True),
        _m("排水水质检测报告", "工业排水户提交有资质机构出具的报告；一般排水户可承诺后补",
           required=False, form="electronic", commitment=True),
        _m("告知承诺书", "选择告知承诺方式时签署", required=False, form="electronic", commitment=True),
    ],
    form_fields=[
        f_applicant_name("排水户名称"),
        f_uscc(),
        f_business_address("排水户地址"),
        _f("drainage_type", "排水户类型", "choice",
           choices=["餐饮", "工业", "建筑施工", "医疗", "洗浴", "其他"]),
        _f("daily_discharge", "日排水量（吨）", "number", min=0),
        f_contact_phone(),
    ],
)


# ===============================================================================================================
# 自然资源和规划局 (ZRZY)

LAND_USE_PLANNING = _item(
    "ZRZY", 1, "licensing", "建设用地规划许可证核发",
    legal_basis="《中华人民共和国城乡规划法》第三十七条、第三十八条；《自然资源部关于以“多规合一”为基础推进"
                "规划用地“多审合一、多证合一”改革的通知》（自然资规〔2019〕2号）",
    service_object="enterprise",
    conditions="以出让方式取得国有土地使用权的，已签订国有建设用地使用权出让合同；以划拨方式取得的，建设项目"
               "已经批准、核准或备案。建设项目的位置、用地性质和开发强度符合详细规划和规划条件。",
    statutory_limit=20,
    statutory_note="《城乡规划法》未规定办理时限，适用《行政许可法》第四十二条：20个工作日。",
    promised_limit=2,
    promised_note="出让用地签订合同后与用地批准合并办理，2个工作日内核发。",
    result_type="licence",
    result_name="建设用地规划许可证",
    topics=["工程建设", "项目投资"],
    steps=steps_standard("核对出让合同（划拨决定书）与规划条件，审查用地位置、面积和用地性质。"),
    materials=[
        _m("建设用地规划许可申请表", "在线填报", form="electronic"),
        _m("国有建设用地使用权出让合同（划拨决定书）", "由本部门出让系统调取", form="electronic",
           source="authority"),
        _m("项目批准、核准或备案文件", "投资项目在线审批监管平台共享", form="electronic", source="authority"),
        _m("宗地图及界址点坐标", "不动产权籍调查成果", form="electronic", source="authority"),
    ],
    form_fields=_project_fields(
        f_land_area(),
        _f("land_use", "用地性质", "choice",
           choices=["工业用地", "仓储用地", "商业服务业用地", "居住用地", "公共管理与公共服务用地"]),
        _f("land_supply", "供地方式", "choice", choices=["出让", "划拨"]),
    ),
)

BUILDING_PLANNING = _item(
    "ZRZY", 2, "licensing", "建设工程规划许可证核发",
    legal_basis="《中华人民共和国城乡规划法》第四十条；《浙江省城乡规划条例》",
    service_object="enterprise",
    conditions="在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设，已取得土地使用权证明文件；"
               "建设工程设计方案符合控制性详细规划和规划条件。",
    statutory_limit=20,
    statutory_note="《城乡规划法》未规定办理时限，适用《行政许可法》第四十二条：20个工作日。",
    promised_limit=5,
    promised_note="设计方案审查与规划许可合并办理；“标准地”工业项目实行承诺制，5个工作日内核发。",
    result_type="licence",
    result_name="建设工程规划许可证",
    topics=["工程建设", "项目投资"],
    steps=steps_standard("审查建设工程设计方案的总平面布局、建筑退界、容积率、建筑密度、绿地率等指标。",
                         decide="核发建设工程规划许可证，附经审定的总平面图；不予许可的说明理由。"),
    materials=[
        _m("建设工程规划许可证申请表", "在线填报", form="electronic"),
        _m("不动产权证书或用地批准文件", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("建设工程设计方案", "总平面图、建筑单体平立剖面图及技术经济指标表，设计单位签章",
           form="electronic"),
        _m("建设项目规划条件", "出让合同附件，系统调取", form="electronic", source="authority"),
    ],
    form_fields=_project_fields(
        f_land_area(),
        f_building_area(),
        _f("floor_area_ratio", "容积率", "number", min=0, max=20),
    ),
)

PLANNING_VERIFICATION = _item(
    "ZRZY", 3, "other_power", "建设工程规划核实",
    legal_basis="《中华人民共和国城乡规划法》第四十五条；《浙江省城乡规划条例》",
    service_object="enterprise",
    conditions="建设工程竣工后、组织竣工验收前，建设单位申请核实建设工程是否符合规划许可的内容；"
               "未经核实或经核实不符合规划条件的，建设单位不得组织竣工验收。",
    statutory_limit=20,
    statutory_note="法律未规定专门时限，参照《行政许可法》第四十二条：20个工作日。",
    promised_limit=5,
    promised_note="纳入联合验收，“多测合一”成果共享，5个工作日内出具核实意见。",
    result_type="approval_document",
    result_name="建设工程规划核实确认书",
    topics=["工程建设", "项目投资"],
    steps=steps_standard("比对竣工测量成果与建设工程规划许可证及附图。",
                         site="现场核实建筑位置、层数、高度和外立面。",
                         decide="出具规划核实合格确认书或不合格意见。"),
    materials=[
        _m("建设工程规划核实申请表", "在线填报", form="electronic"),
        _m("建设工程规划许可证", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("竣工测量成果报告（“多测合一”）", "测绘机构出具并经成果汇交", form="electronic"),
    ],
    form_fields=_project_fields(f_building_area()),
)


def _estate_basis() -> str:
    return ("《中华人民共和国民法典》第二百零九条、第二百一十条；《不动产登记暂行条例》（国务院令第656号）"
            "第三条、第二十条；《不动产登记暂行条例实施细则》")


def _estate_fee(standard: str) -> dict:
    return {
        "basis": "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）；"
                 "《财政部 国家发展改革委关于不动产登记收费有关政策问题的通知》（财税〔2016〕79号）",
        "standard": standard,
        "waiver": "小微企业（含个体工商户）申请不动产登记免收登记费；其他减免情形按财税〔2016〕79号规定执行。",
    }


def _estate_fields(*extra: dict) -> list[dict]:
    return [
        f_applicant_name("权利人（申请人）名称或姓名", "与身份证明或营业执照一致"),
        f_id_number("权利人公民身份号码", "权利人为自然人时填写") | {"required": False},
        f_uscc(required=False),
        _f("property_address", "不动产坐落", "address"),
        *extra,
        f_contact_phone(),
    ]


ESTATE_REGISTRATION = _item(
    "ZRZY", 4, "confirmation", "不动产登记",
    legal_basis=_estate_basis(),
    service_object="both",
    conditions="不动产权利设立、变更、转让和消灭，由权利人或者利害关系人向不动产所在地的不动产登记机构申请；"
               "申请人对申请材料的真实性负责。",
    statutory_limit=30,
    statutory_note="自受理登记申请之日起30个工作日内办结（《不动产登记暂行条例》第二十条）。",
    promised_limit=5,
    promised_note="一般登记5个工作日；转移、抵押等登记“一窗受理、集成服务”1个工作日内办结。",
    citywide=True,
    online_payment=True,
    fee=_estate_fee("住宅类每件80元，非住宅类每件550元（均含第一本证书工本费）；每增加一本证书加收工本费10元。"),
    result_type="certificate",
    result_name="不动产权证书或不动产登记证明（电子证照同步生成）",
    topics=["购房", "工程建设"],
    steps=steps_standard("查验不动产界址、空间界限、面积等权籍调查成果和权属来源；必要时实地查看。",
                         decide="登记簿记载后核发不动产权证书或登记证明；不予登记的书面告知理由。"),
    materials=[
        _m("不动产登记申请书", "在线填报，申请人电子签名", form="electronic"),
        _m("申请人身份证明", "通过实名认证和电子证照核验", form="electronic", source="licence_library"),
        _m("不动产权属来源证明", "出让合同、买卖合同、继承证明等", form="electronic"),
        _m("不动产界址、空间界限、面积等材料", "不动产权籍调查成果", form="electronic", source="authority"),
        _m("与他人利害关系的说明材料", "涉及利害关系人时提交", required=False, form="electronic"),
    ],
    form_fields=_estate_fields(
        _f("property_unit_number", "不动产单元号", required=False, max_length=28, help_="28位，见不动产权证书"),
        _f("registration_type", "登记类型", "choice",
           choices=["首次登记", "转移登记", "变更登记", "抵押登记", "注销登记"]),
    ),
)

LAND_FIRST_REGISTRATION = _item(
    "ZRZY", 4, "confirmation", "国有建设用地使用权首次登记", sub=1, parent=ESTATE_REGISTRATION,
    legal_basis=_estate_basis(),
    service_object="enterprise",
    conditions="以出让方式取得国有建设用地使用权的，已签订出让合同并缴清土地出让价款和相关税费；"
               "以划拨方式取得的，已取得划拨决定书。",
    statutory_limit=30,
    statutory_note="自受理登记申请之日起30个工作日内办结（《不动产登记暂行条例》第二十条）。",
    promised_limit=1,
    promised_note="“交地即交证”：交地时同步核发不动产权证书，1个工作日内办结。",
    online_payment=True,
    fee=_estate_fee("非住宅类每件550元（含第一本证书工本费）；每增加一本证书加收工本费10元。"),
    result_type="certificate",
    result_name="不动产权证书（国有建设用地使用权）",
    topics=["工程建设", "项目投资"],
    steps=steps_standard("核对出让合同履约和价款缴纳情况，审查权籍调查成果。",
                         decide="登簿并核发不动产权证书。"),
    materials=[
        _m("不动产登记申请书", "在线填报，加盖单位电子签章", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("国有建设用地使用权出让合同及土地价款缴纳凭证", "由出让系统共享", form="electronic",
           source="authority"),
        _m("不动产权籍调查成果", "宗地图、界址点坐标", form="electronic", source="authority"),
        _m("契税等税费完税凭证", "税务部门共享", form="electronic", source="authority"),
    ],
    form_fields=_estate_fields(
        f_land_area(),
        _f("land_use", "用地性质", "choice",
           choices=["工业用地", "仓储用地", "商业服务业用地", "居住用地", "公共管理与公共服务用地"]),
    ),
)

HOUSE_TRANSFER_REGISTRATION = _item(
    "ZRZY", 4, "confirmation", "国有建设用地使用权及房屋所有权转移登记", sub=2, parent=ESTATE_REGISTRATION,
    legal_basis=_estate_basis(),
    service_object="both",
    conditions="因买卖、赠与、继承等导致国有建设用地使用权及房屋所有权转移的，由当事人共同申请（继承等可单方申请）；"
               "存量房买卖已完成网签备案并缴清相关税费。",
    statutory_limit=30,
    statutory_note="自受理登记申请之日起30个工作日内办结（《不动产登记暂行条例》第二十条）。",
    promised_limit=1,
    promised_note="存量房转移登记与税费缴纳“一窗受理”，1个工作日内办结，可同步办理水电气网过户。",
    citywide=True,
    online_payment=True,
    fee=_estate_fee("住宅类每件80元，非住宅类每件550元（均含第一本证书工本费）。"),
    result_type="certificate",
    result_name="不动产权证书",
    topics=["购房"],
    steps=[
        _s("申请", f"买卖双方通过{ONLINE}“二手房交易登记一件事”在线申请，人脸识别后电子签名。"),
        _s("受理", "不动产登记、住建（网签）、税务“一窗受理”，共享合同备案和完税信息。"),
        _s("审核", "查验权属状况、查封抵押情况和双方身份。"),
        _s("登簿", "记载于不动产登记簿。"),
        _s("发证", "电子不动产权证书即时生成；纸质证书可窗口领取或免费邮寄。"),
    ],
    materials=[
        _m("不动产登记申请书", "买卖双方在线电子签名", form="electronic"),
        _m("买卖双方身份证明", "实名认证和电子证照核验", form="electronic", source="licence_library"),
        _m("不动产权证书", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("存量房买卖合同", "网签备案合同，住建部门共享", form="electronic", source="authority"),
        _m("完税凭证", "税务部门共享", form="electronic", source="authority"),
        _m("婚姻状况声明", "出卖人签署，承诺房屋共有情况", form="electronic", commitment=True),
    ],
    form_fields=_estate_fields(
        _f("property_unit_number", "不动产单元号", max_length=28, help_="28位，见不动产权证书"),
        _f("seller_name", "出卖人姓名（名称）", max_length=100),
        _f("transaction_price", "成交价格（万元）", "number", min=0),
    ),
)


# ===============================================================================================================
# 生态环境局 (STHJ)

def _eia_basis() -> str:
    return ("《中华人民共和国环境影响评价法》第十六条、第二十二条；"
            "《建设项目环境保护管理条例》（国务院令第682号）第九条")


def _eia_fields() -> list[dict]:
    return _project_fields(
        f_total_investment(),
        _f("industry_category", "国民经济行业类别", max_length=100, help_="按《国民经济行业分类》填写"),
        _f("eia_type", "环评文件类型", "choice", choices=["环境影响报告书", "环境影响报告表"]),
    )


EIA_APPROVAL = _item(
    "STHJ", 1, "licensing", "建设项目环境影响评价审批",
    legal_basis=_eia_basis(),
    service_object="enterprise",
    conditions="依据《建设项目环境影响评价分类管理名录》应当编制环境影响报告书或报告表的建设项目，"
               "在开工建设前报有审批权的生态环境主管部门审批；未经审批不得开工建设。",
    statutory_limit=60,
    statutory_note="报告书自收到之日起60日内、报告表30日内作出审批决定（《环境影响评价法》第二十二条）；"
                   "技术评估时间不计入。",
    promised_limit=10,
    promised_note="报告书10个工作日、报告表5个工作日内作出审批决定。",
    result_type="approval_document",
    result_name="建设项目环境影响评价文件审批意见",
    topics=["环境保护", "项目投资"],
    steps=steps_standard("受理后公开环评文件，组织技术评估，审查项目选址、污染防治措施和总量指标。",
                         decide="作出批准或不予批准的审批决定，并在网站公开。"),
    materials=[
        _m("建设项目环境影响评价文件审批申请书", "在线填报", form="electronic"),
        _m("环境影响报告书（表）", "全本及删除涉密、商业秘密内容的公开版本，编制单位和编制人员签章",
           form="electronic"),
        _m("项目批准、核准或备案文件", "投资项目在线审批监管平台共享", form="electronic", source="authority"),
    ],
    form_fields=_eia_fields(),
)

EIA_REPORT = _item(
    "STHJ", 1, "licensing", "建设项目环境影响报告书审批", sub=1, parent=EIA_APPROVAL,
    legal_basis=_eia_basis(),
    service_object="enterprise",
    conditions="可能造成重大环境影响、应当编制环境影响报告书的建设项目，已依法开展公众参与。",
    statutory_limit=60,
    statutory_note="自收到环境影响报告书之日起60日内作出审批决定（《环境影响评价法》第二十二条）；"
                   "技术评估时间不计入。",
    promised_limit=10,
    promised_note="技术评估完成后10个工作日内作出审批决定。",
    result_type="approval_document",
    result_name="建设项目环境影响报告书审批意见",
    topics=["环境保护", "项目投资"],
    steps=steps_standard("受理公示，委托技术评估机构评估，审查公众参与说明和污染物排放总量来源。",
                         decide="拟审批公示后作出审批决定并公开。"),
    materials=[
        _m("建设项目环境影响报告书审批申请书", "在线填报", form="electronic"),
        _m("环境影响报告书", "全本及公开版本", form="electronic"),
        _m("公众参与说明", "建设单位编制，含征求意见的过程和采纳情况", form="electronic"),
        _m("项目批准、核准或备案文件", "投资项目在线审批监管平台共享", form="electronic", source="authority"),
    ],
    form_fields=_eia_fields(),
)

EIA_FORM = _item(
    "STHJ", 1, "licensing", "建设项目环境影响报告表审批", sub=2, parent=EIA_APPROVAL,
    legal_basis=_eia_basis(),
    service_object="enterprise",
    conditions="可能造成轻度环境影响、应当编制环境影响报告表的建设项目；位于“区域环评+环境标准”改革区域内"
               "符合准入要求的，可实行告知承诺审批。",
    statutory_limit=30,
    statutory_note="自收到环境影响报告表之日起30日内作出审批决定（《环境影响评价法》第二十二条）。",
    promised_limit=5,
    promised_note="5个工作日内作出审批决定；实行告知承诺的当场审批。",
    result_type="approval_document",
    result_name="建设项目环境影响报告表审批意见",
    topics=["环境保护", "项目投资"],
    steps=steps_standard("审查报告表的编制质量、污染防治措施和选址合规性。"),
    materials=[
        _m("建设项目环境影响报告表审批申请书", "在线填报", form="electronic"),
        _m("环境影响报告表", "全本及公开版本", form="electronic"),
        _m("告知承诺书", "实行告知承诺审批时签署", required=False, form="electronic", commitment=True),
    ],
    form_fields=_eia_fields(),
)

EIA_REGISTRATION_FILING = _item(
    "STHJ", 2, "filing", "建设项目环境影响登记表备案",
    legal_basis="《中华人民共和国环境影响评价法》第十六条、第二十二条；"
                "《建设项目环境影响登记表备案管理办法》（环境保护部令第41号）",
    service_object="enterprise",
    conditions="依据分类管理名录应当填报环境影响登记表的建设项目，建设单位在建成并投入生产运营前，"
               "通过建设项目环境影响登记表网上备案系统填报并备案。",
    statutory_limit=0,
    statutory_note="网上填报提交后即时生成备案回执，无需审批。",
    promised_limit=0,
    promised_note="即办。",
    instant=True,
    result_type="other",
    result_name="建设项目环境影响登记表备案回执",
    topics=["环境保护", "项目投资"],
    steps=steps_instant("系统校验登记表内容是否完整。", "即时生成备案回执并向社会公开。"),
    materials=[
        _m("建设项目环境影响登记表", "在线填报，建设单位对内容真实性作出承诺", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
    ],
    form_fields=_project_fields(f_total_investment()),
)

POLLUTANT_PERMIT = _item(
    "STHJ", 3, "licensing", "排污许可证核发",
    legal_basis="《中华人民共和国环境保护法》第四十五条；《排污许可管理条例》（国务院令第736号）第二条、第十二条；"
                "《排污许可管理办法》（生态环境部令第32号）",
    service_object="enterprise",
    conditions="纳入《固定污染源排污许可分类管理名录》实行重点管理或简化管理的排污单位，在实际排污行为发生前申请；"
               "新建项目已取得环评批复（需审批的），污染防治设施、排放口和自行监测方案符合规定。",
    statutory_limit=30,
    statutory_note="重点管理30日（需现场核查的45日）、简化管理20日内作出审批决定（《排污许可管理条例》第十二条）。",
    promised_limit=10,
    promised_note="10个工作日内作出审批决定。",
    result_type="licence",
    result_name="排污许可证（有效期5年）",
    topics=["环境保护", "项目投资"],
    steps=steps_standard("在全国排污许可证管理信息平台审查申请表、排放口、许可排放浓度和排放量。",
                         site="重点管理排污单位必要时进行现场核查。"),
    materials=[
        _m("排污许可证申请表", "在全国排污许可证管理信息平台填报", form="electronic"),
        _m("排污单位承诺书", "法定代表人或主要负责人签字，对申请材料真实性、合法性负责", form="electronic"),
        _m("建设项目环境影响评价审批文件", "本部门系统共享", form="electronic", source="authority"),
        _m("自行监测方案", "含监测点位、指标和频次", form="electronic"),
        _m("排污口和监测孔规范化设置情况说明", "附照片", form="electronic", missing=True),
    ],
    form_fields=[
        f_applicant_name("排污单位名称"),
        f_uscc(),
        f_business_address("生产经营场所地址"),
        _f("industry_category", "国民经济行业类别", max_length=100, help_="按《国民经济行业分类》填写"),
        _f("management_class", "管理类别", "choice", choices=["重点管理", "简化管理"]),
        _f("eia_approval_number", "环评批复文号", required=False, max_length=50),
        f_contact_phone(),
    ],
)


# ===============================================================================================================
# 卫健委 (WJW)

PUBLIC_VENUE_HEALTH = _item(
    "WJW", 1, "licensing", "公共场所卫生许可",
    legal_basis="《公共场所卫生管理条例》第四条；《公共场所卫生管理条例实施细则》（原卫生部令第80号）"
                "第二十二条、第二十三条",
    service_object="enterprise",
    conditions="住宿、沐浴、美容美发、游泳等依法需要取得卫生许可的公共场所，在开业前申请；场所选址、布局和卫生设施"
               "符合卫生标准和规范。饭馆、咖啡馆、酒吧、茶座不再核发卫生许可证（国发〔2016〕12号）。",
    statutory_limit=20,
    statutory_note="自受理之日起20日内对申报资料进行审查、对现场进行审核，作出决定"
                   "（《公共场所卫生管理条例实施细则》第二十三条）；卫生检测时间不计入。",
    promised_limit=3,
    promised_note="实行告知承诺的当场发证、事后核查；其余3个工作日内办结。",
    citywide=True,
    result_type="licence",
    result_name="公共场所卫生许可证（有效期4年）",
    topics=["餐饮住宿", "经营许可"],
    steps=steps_standard("审查申报资料。", site="对经营场所的布局、卫生设施和空气、水质等进行现场审核。"),
    materials=[
        _m("公共场所卫生许可申请表", "在线填报", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("法定代表人或负责人身份证明", "实名认证核验", form="electronic", source="licence_library"),
        _m("公共场所地址方位示意图、平面图和卫生设施平面布局图", "标明各功能区面积和卫生设施位置",
           form="electronic"),
        _m("公共场所卫生检测或评价报告", "有资质机构出具；告知承诺方式可在规定期限内补交",
           form="electronic", commitment=True),
        _m("公共场所卫生管理制度", "含从业人员健康管理、清洗消毒等制度", form="electronic", missing=True),
    ],
    form_fields=[
        f_applicant_name("单位名称"),
        f_uscc(),
        f_legal_representative(),
        f_business_address(),
        _f("venue_type", "场所类别", "choice", choices=["住宿场所", "沐浴场所", "美容美发场所", "游泳场所"]),
        _f("business_area", "经营场所面积（平方米）", "number", min=0),
        f_contact_phone(),
    ],
)

MEDICAL_INSTITUTION = _item(
    "WJW", 2, "licensing", "医疗机构执业登记",
    legal_basis="《医疗机构管理条例》（国务院令第149号，2022年修订）第三章；《医疗机构管理条例实施细则》",
    service_object="enterprise",
    conditions="按规定取得设置医疗机构批准书（实行设置审批的）；有符合规定的名称、组织机构和场所，有与开展的业务"
               "相适应的经费、设施、设备和专业卫生技术人员，有相应的规章制度，能够独立承担民事责任。"
               "诊所实行备案管理，不适用本事项。",
    statutory_limit=45,
    statutory_note="执业登记机关自受理之日起45日内进行审核，审核合格的予以登记（《医疗机构管理条例》）。",
    promised_limit=15,
    promised_note="含现场审核，15个工作日内办结。",
    result_type="licence",
    result_name="医疗机构执业许可证",
    topics=["医疗卫生", "经营许可"],
    steps=steps_standard("审查申请材料和人员资质。",
                         site="对照医疗机构基本标准对房屋、设备、人员和制度进行现场审核。"),
    materials=[
        _m("医疗机构申请执业登记注册书", "在线填报", form="electronic"),
        _m("设置医疗机构批准书", "实行设置审批的由系统调取", required=False, form="electronic",
           source="licence_library"),
        _m("医疗机构用房产权证明或者使用证明", "租赁的提交租赁合同", form="electronic"),
        _m("医疗机构建筑设计平面图", "标明诊疗科室布局", form="electronic"),
        _m("医疗机构规章制度", "含医疗质量安全核心制度", form="electronic", missing=True),
        _m("法定代表人或主要负责人及各科室负责人名录和有关资格证书、执业证书", "医师执业证书由系统核验",
           form="copy"),
    ],
    form_fields=[
        f_applicant_name("医疗机构名称"),
        f_uscc(required=False),
        f_legal_representative("法定代表人（主要负责人）"),
        f_business_address("执业地址"),
        _f("institution_type", "医疗机构类别", "choice",
           choices=["综合医院", "专科医院", "中医医院", "门诊部", "护理院", "医学检验实验室"]),
        _f("bed_count", "床位数", "number", required=False, min=0),
        _f("diagnosis_subjects", "诊疗科目", max_length=500),
        f_contact_phone(),
    ],
)

BIRTH_CERTIFICATE = _item(
    "WJW", 3, "public_service", "出生医学证明（首次签发）",
    legal_basis="《中华人民共和国母婴保健法》第二十三条；《中华人民共和国母婴保健法实施办法》",
    service_object="person",
    conditions="在湖州市具有助产技术服务资质的医疗机构内出生的新生儿，由父母或监护人申请首次签发；"
               "院外分娩的，经核实出生事实后签发。",
    statutory_limit=0,
    statutory_note="法律法规未规定办理时限，助产机构在新生儿出院前签发。",
    promised_limit=0,
    promised_note="即办；可在“出生一件事”中在线申请，出院时领取。",
    instant=True,
    result_type="certificate",
    result_name="出生医学证明",
    topics=["出生", "婚姻生育"],
    steps=steps_instant("助产机构核对分娩记录和父母身份信息。", "当场签发出生医学证明，电子证照同步生成。"),
    materials=[
        _m("出生医学证明首次签发登记表", "父母核对新生儿姓名等信息后签字", form="electronic"),
        _m("父母双方居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("新生儿分娩记录", "助产机构信息系统调取", form="electronic", source="authority"),
    ],
    form_fields=[
        f_person_name("申请人（母亲）姓名"),
        f_id_number("母亲公民身份号码"),
        _f("newborn_name", "新生儿姓名", max_length=50),
        _f("newborn_birth_date", "出生日期", "date"),
        _f("newborn_sex", "新生儿性别", "choice", choices=["男", "女"]),
        _f("father_name", "父亲姓名", max_length=50),
        _f("father_id_number", "父亲公民身份号码", "id_number"),
        f_contact_phone(),
    ],
)

PHYSICIAN_REGISTRATION = _item(
    "WJW", 4, "licensing", "医师执业注册",
    legal_basis="《中华人民共和国医师法》第十三条、第十四条；《医师执业注册管理办法》"
                "（原国家卫生和计划生育委员会令第13号）",
    service_object="person",
    conditions="已取得医师资格证书，受聘于拟执业的医疗卫生机构，无法定不予注册情形；医疗卫生机构可以为本机构"
               "中的申请人集体办理注册手续。",
    statutory_limit=20,
    statutory_note="除法定不予注册情形外，自受理申请之日起20个工作日内准予注册（《医师法》第十三条）。",
    promised_limit=1,
    promised_note="电子化注册，1个工作日内办结。",
    citywide=True,
    result_type="certificate",
    result_name="医师执业证书（电子证照）",
    topics=["医疗卫生", "就业"],
    steps=steps_standard("核验医师资格、体检证明和执业机构信息。"),
    materials=[
        _m("医师执业注册申请审核表", "在线填报，执业机构确认", form="electronic"),
        _m("医师资格证书", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("近6个月内县级以上医疗卫生机构出具的健康体检证明", "体检结论明确", form="electronic"),
        _m("拟执业机构的聘用证明", "加盖机构公章", form="electronic"),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("qualification_cert_no", "医师资格证书编码", max_length=30),
        _f("practice_category", "执业类别", "choice", choices=["临床", "中医", "口腔", "公共卫生"]),
        _f("practice_scope", "执业范围", max_length=100),
        _f("employer_name", "执业机构名称", max_length=100),
        f_contact_phone(),
    ],
)

BIRTH_REGISTRATION_FAMILY = _item(
    "WJW", 5, "public_service", "生育登记",
    legal_basis="《中华人民共和国人口与计划生育法》第十八条；《浙江省人口与计划生育条例》",
    level="county",
    service_object="person",
    conditions="夫妻双方至少一方户籍在湖州市，或在湖州居住的流动人口，生育子女的，可在孕前、孕期或子女出生后"
               "办理生育登记。",
    statutory_limit=0,
    statutory_note="法律法规未规定办理时限，按即办件管理。",
    promised_limit=0,
    promised_note="即办，在线提交后即时完成登记。",
    instant=True,
    citywide=True,
    id_card_only=True,
    result_type="other",
    result_name="生育登记信息（电子生育服务证）",
    topics=["婚姻生育", "出生"],
    steps=steps_instant("系统共享核验夫妻双方身份和婚姻信息。", "即时完成登记，生成电子生育服务证。"),
    materials=[
        _m("夫妻双方居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("结婚证", "婚姻登记信息共享核验", form="electronic", source="licence_library"),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("spouse_name", "配偶姓名", max_length=50),
        _f("spouse_id_number", "配偶公民身份号码", "id_number"),
        f_residence_address(),
        f_contact_phone(),
    ],
)


# ===============================================================================================================
# 公安局 (GAJ)

BIRTH_HOUSEHOLD = _item(
    "GAJ", 1, "confirmation", "出生登记",
    legal_basis="《中华人民共和国户口登记条例》第七条",
    level="county",
    service_object="person",
    conditions="婴儿出生后一个月以内，由户主、亲属、抚养人向婴儿常住地户口登记机关申报出生登记；"
               "随父或者随母落户自愿选择。",
    statutory_limit=0,
    statutory_note="材料齐全的当场办理；申报期限为婴儿出生后一个月以内（《户口登记条例》第七条）。",
    promised_limit=0,
    promised_note="即办；通过“出生一件事”在线申报的，户口簿免费邮寄。",
    instant=True,
    citywide=True,
    result_type="other",
    result_name="居民户口簿（新生儿页）",
    topics=["公安服务", "出生"],
    steps=steps_instant("派出所户籍民警核验出生医学证明和父母户籍信息。", "当场办理落户，户口簿窗口领取或邮寄。"),
    materials=[
        _m("出生医学证明", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("父母双方居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("落户方居民户口簿", "户籍信息系统核验；纸质户口簿需加页的邮寄或现场提交", form="original"),
        _m("父母结婚证", "婚姻登记信息共享核验", required=False, form="electronic", source="licence_library"),
    ],
    form_fields=[
        f_person_name("申报人姓名"),
        f_id_number("申报人公民身份号码"),
        _f("newborn_name", "新生儿姓名", max_length=50),
        _f("newborn_birth_date", "出生日期", "date"),
        _f("newborn_sex", "新生儿性别", "choice", choices=["男", "女"]),
        _f("registered_with", "落户方式", "choice", choices=["随父落户", "随母落户"]),
        f_residence_address("落户地址"),
        f_contact_phone(),
    ],
)

HOUSEHOLD_MIGRATION = _item(
    "GAJ", 2, "confirmation", "户口迁移（浙江省内一站式迁移）",
    legal_basis="《中华人民共和国户口登记条例》第十条、第十三条；"
                "《国务院关于进一步推进户籍制度改革的意见》（国发〔2014〕25号）",
    level="county",
    service_object="person",
    conditions="户籍在浙江省内、符合湖州市落户条件（在湖州购房、就业、投靠直系亲属或大中专院校录取等）的人员，"
               "在迁入地派出所一站式办理，无需回原籍开具迁移证。",
    statutory_limit=0,
    statutory_note="法律法规未规定办理时限；《户口登记条例》第十三条规定城市在到达之日起3日内申报迁入登记。",
    promised_limit=0,
    promised_note="省内迁移即办，迁出地同步注销。",
    instant=True,
    citywide=True,
    result_type="other",
    result_name="居民户口簿（迁入页）",
    topics=["公安服务", "上学", "就业", "购房"],
    steps=steps_instant("迁入地派出所核验落户依据，系统向迁出地推送迁出信息。", "当场办理迁入，迁出地自动注销。"),
    materials=[
        _m("户口迁移申请表", "在线填报或窗口填写", form="electronic"),
        _m("居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("居民户口簿", "迁入户的户口簿", form="original"),
        _m("落户依据材料", "不动产权证书、劳动合同、亲属关系证明或录取通知书等", form="electronic"),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("origin_address", "原户籍地址", "address"),
        f_residence_address("迁入地址"),
        _f("migration_reason", "迁移原因", "choice",
           choices=["购房落户", "投靠亲属", "就业落户", "大中专院校录取", "其他"]),
        f_contact_phone(),
    ],
)

ID_CARD_RENEWAL = _item(
    "GAJ", 3, "confirmation", "居民身份证换领",
    legal_basis="《中华人民共和国居民身份证法》第十一条、第十二条、第二十条",
    level="county",
    service_object="person",
    conditions="居民身份证有效期满、公民姓名变更或者证件严重损坏不能辨认的，应当换领新证；登记项目出现错误的，"
               "公安机关更正后换发。领取新证时交回原证。",
    statutory_limit=60,
    statutory_note="自提交《居民身份证申领登记表》之日起60日内发放，交通不便的地区可延长不超过30日"
                   "（《居民身份证法》第十二条，按日历日计）。",
    promised_limit=7,
    promised_note="受理后7个工作日内制证，可选择免费邮寄送达。",
    visits=1,
    visits_reason="需本人到场采集人像和指纹信息。",
    online_depth=2,
    citywide=True,
    online_payment=True,
    fee={
        "basis": "《中华人民共和国居民身份证法》第二十条；《国家发展改革委 财政部关于第二代居民身份证收费标准等有关"
                 "问题的通知》（发改价格〔2003〕2322号）",
        "standard": "有效期满换领每证20元；丢失补领或损坏换领每证40元；临时居民身份证每证10元。",
        "waiver": "城市中领取最低生活保障金的居民、农村中有特殊生活困难的居民，在初次申领和换领时免收工本费。",
    },
    result_type="certificate",
    result_name="中华人民共和国居民身份证",
    topics=["公安服务", "上学"],
    steps=[
        _s("预约", f"通过{ONLINE}预约办理时间，可上传符合标准的相片回执。"),
        _s("受理", "到任一户籍窗口核验身份，采集人像和指纹，填写《居民身份证申领登记表》。"),
        _s("缴费", "在线或现场缴纳工本费。"),
        _s("制证", "公安机关审核后制证。"),
        _s("领证", "窗口领取（交回原证）或邮寄送达。"),
    ],
    materials=[
        _m("居民身份证申领登记表", "现场打印，本人签字", form="original"),
        _m("原居民身份证", "领取新证时交回", form="original"),
        _m("居民户口簿", "户籍信息与户口簿一致", form="original"),
        _m("相片", "现场采集或上传照相馆出具的相片回执", form="electronic"),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("change_reason", "换领原因", "choice",
           choices=["有效期满", "姓名变更", "严重损坏不能辨认", "登记项目错误更正"]),
        _f("delivery_method", "领证方式", "choice", choices=["窗口领取", "邮寄送达"]),
        f_residence_address(),
        f_contact_phone(),
    ],
)

DRIVING_LICENCE_RENEWAL = _item(
    "GAJ", 4, "licensing", "机动车驾驶证期满换证",
    legal_basis="《中华人民共和国道路交通安全法》第十九条；《中华人民共和国道路交通安全法实施条例》第二十六条；"
                "《机动车驾驶证申领和使用规定》（公安部令第162号）",
    service_object="person",
    conditions="机动车驾驶证有效期满前90日内申请换证，并提交有关身体条件的证明；在有效期内每个记分周期均未记满"
               "12分的，按规定换发10年有效期或长期有效的驾驶证。",
    statutory_limit=1,
    statutory_note="车辆管理所对符合规定的当日换发（《机动车驾驶证申领和使用规定》）。",
    promised_limit=0,
    promised_note="通过交管12123或浙里办在线申请即时审核，新证免费邮寄。",
    instant=True,
    citywide=True,
    online_payment=True,
    fee={
        "basis": "《国家发展改革委 财政部关于加强和规范机动车牌证工本费等收费标准管理有关问题的通知》"
                 "（发改价格〔2004〕2831号）",
        "standard": "机动车驾驶证工本费每证10元。",
        "waiver": "无。",
    },
    result_type="licence",
    result_name="机动车驾驶证（电子驾驶证同步更新）",
    topics=["公安服务", "驾车出行"],
    steps=steps_instant("车辆管理所在线核验身份、身体条件证明和记分情况。", "即时换发，纸质驾驶证邮寄送达。"),
    materials=[
        _m("机动车驾驶证申请表", "在线填报", form="electronic"),
        _m("居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("机动车驾驶人身体条件证明", "医疗机构联网上传", form="electronic", source="authority"),
        _m("近期数码照片", "白底彩色，体检时同步采集", form="electronic"),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("licence_class", "准驾车型", "choice", choices=["C1", "C2", "B2", "A2", "其他"]),
        _f("licence_expiry", "原驾驶证有效期截止日期", "date"),
        _f("delivery_address", "邮寄地址", "address"),
        f_contact_phone(),
    ],
)

DOG_REGISTRATION = _item(
    "GAJ", 5, "confirmation", "养犬登记",
    legal_basis="《中华人民共和国动物防疫法》第三十条第一款；《湖州市养犬管理条例》第八条",
    level="county",
    service_object="both",
    conditions="在湖州市居住的个人或单位饲养犬只，犬只已按规定接种狂犬病疫苗；不属于禁止饲养的烈性犬只。",
    statutory_limit=0,
    statutory_note="符合条件的当场登记。",
    promised_limit=0,
    promised_note="即办，在线登记的犬牌免费邮寄。",
    instant=True,
    citywide=True,
    result_type="certificate",
    result_name="养犬登记证及犬牌",
    topics=["公安服务", "社会事务"],
    steps=steps_instant("核验养犬人身份、住所证明和犬只狂犬病免疫证明。", "当场登记，发放养犬登记证和犬牌。"),
    materials=[
        _m("养犬登记申请表", "在线填报", form="electronic"),
        _m("养犬人身份证明", "电子证照核验", form="electronic", source="licence_library"),
        _m("房产证明或者房屋租赁证明", "不动产权证书由系统调取；租赁的上传租赁合同", form="electronic"),
        _m("犬只狂犬病免疫证明", "动物诊疗机构出具，在有效期内", form="electronic"),
        _m("犬只照片", "正面清晰", form="electronic"),
    ],
    form_fields=[
        f_person_name("养犬人姓名"),
        f_id_number(),
        f_residence_address("饲养地址"),
        _f("dog_breed", "犬只品种", max_length=50),
        _f("dog_sex", "犬只性别", "choice", choices=["雄", "雌"]),
        _f("vaccination_date", "狂犬病疫苗接种日期", "date"),
        f_contact_phone(),
    ],
)

PASSPORT = _item(
    "GAJ", 6, "licensing", "普通护照签发",
    legal_basis="《中华人民共和国护照法》第五条、第六条；《中华人民共和国出境入境管理法》第九条",
    service_object="person",
    conditions="中国公民因前往外国定居、探亲、学习、就业、旅行、从事商务活动等非公务原因出国，向公安机关"
               "出入境管理机构申请；无《护照法》规定的不予签发情形。",
    statutory_limit=15,
    statutory_note="自收到申请材料之日起15日内签发；偏远地区、交通不便或者因特殊情况不能按期签发的，"
                   "经签发机关负责人批准可延长至30日（《护照法》第六条）。",
    promised_limit=7,
    promised_note="出入境证件“全国通办”，受理后7个工作日内制证，可邮寄送达。",
    visits=1,
    visits_reason="需本人到场采集指纹和人像信息。",
    online_depth=2,
    citywide=True,
    online_payment=True,
    fee={
        "basis": "《国家发展改革委 财政部关于降低因私普通护照等出入境证件收费标准的通知》（发改价格〔2019〕914号）",
        "standard": "普通护照每本120元。",
        "waiver": "无。",
    },
    result_type="certificate",
    result_name="中华人民共和国普通护照",
    topics=["公安服务"],
    steps=[
        _s("预约", f"通过{ONLINE}或“移民局”App预约受理时间和地点。"),
        _s("受理", "本人到出入境接待大厅核验身份，采集指纹和人像，签署申请表。"),
        _s("审批", "出入境管理机构审核申请人身份和出境条件。"),
        _s("制证", "审批通过后制作证件。"),
        _s("领证", "窗口领取或邮寄送达。"),
    ],
    materials=[
        _m("中国公民出入境证件申请表", "现场打印，本人签字", form="original"),
        _m("居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("近期免冠彩色照片", "受理点现场采集", form="electronic", source="authority"),
        _m("国家工作人员出境审批意见", "登记备案的国家工作人员提交", required=False, form="original"),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("travel_purpose", "出境事由", "choice", choices=["旅游", "探亲访友", "学习", "商务", "定居", "其他"]),
        _f("delivery_address", "邮寄地址", "address", required=False, help_="选择邮寄时填写"),
        f_contact_phone(),
    ],
)

DEATH_HOUSEHOLD_CANCEL = _item(
    "GAJ", 7, "confirmation", "死亡人员户口注销",
    legal_basis="《中华人民共和国户口登记条例》第八条",
    level="county",
    service_object="person",
    conditions="公民死亡后，由户主、亲属、抚养人等持死亡证明向户口登记机关申报死亡登记、注销户口；"
               "可在“身后一件事”中一次办理户口注销、社保停保和丧葬待遇申领。",
    statutory_limit=0,
    statutory_note="当场办理；申报期限为城市在葬前、农村在一个月以内（《户口登记条例》第八条）。",
    promised_limit=0,
    promised_note="即办。",
    instant=True,
    citywide=True,
    result_type="other",
    result_name="户口注销证明",
    topics=["公安服务", "身后事"],
    steps=steps_instant("核验死亡医学证明和申报人身份。", "当场注销户口，出具户口注销证明，信息推送民政、人社。"),
    materials=[
        _m("居民死亡医学证明（推断）书", "卫生健康部门共享", form="electronic", source="authority"),
        _m("死者居民户口簿", "办理时加注注销信息", form="original"),
        _m("死者居民身份证", "交回注销；遗失的说明情况", form="original"),
        _m("申报人居民身份证", "电子证照核验", form="electronic", source="licence_library"),
    ],
    form_fields=[
        f_person_name("申报人姓名"),
        f_id_number("申报人公民身份号码"),
        _f("deceased_name", "死者姓名", max_length=50),
        _f("deceased_id_number", "死者公民身份号码", "id_number"),
        _f("death_date", "死亡日期", "date"),
        _f("relationship", "与死者关系", "choice", choices=["配偶", "子女", "父母", "其他亲属"]),
        f_contact_phone(),
    ],
)


# ===============================================================================================================
# 民政局 (MZJ)

def _marriage_basis() -> str:
    return "《中华人民共和国民法典》第一千零四十九条；《婚姻登记条例》（国务院令第804号）"


def _marriage_fields() -> list[dict]:
    return [
        f_person_name("男方姓名"),
        f_id_number("男方公民身份号码"),
        _f("spouse_name", "女方姓名", max_length=50),
        _f("spouse_id_number", "女方公民身份号码", "id_number"),
        _f("appointment_date", "预约登记日期", "date"),
        f_contact_phone(),
    ]


MARRIAGE_REGISTRATION = _item(
    "MZJ", 1, "confirmation", "婚姻登记",
    legal_basis=_marriage_basis(),
    level="county",
    service_object="person",
    conditions="内地居民办理结婚登记、补领婚姻登记证等，当事人亲自到婚姻登记机关申请；"
               "自2025年5月10日起内地居民婚姻登记实行“全国通办”，不再查验户口簿。",
    statutory_limit=0,
    statutory_note="符合条件的当场登记、当场发证（《婚姻登记条例》）。",
    promised_limit=0,
    promised_note="即办，可在线预约登记时段（含颁证仪式）。",
    instant=True,
    visits=1,
    visits_reason="婚姻登记须当事人亲自到婚姻登记机关办理，不可代办。",
    online_depth=2,
    citywide=True,
    express=False,
    result_type="certificate",
    result_name="结婚证（或补发的婚姻登记证）",
    topics=["婚姻生育", "结婚"],
    steps=[
        _s("预约", f"通过{ONLINE}预约登记日期和时段。"),
        _s("受理", "双方携带证件到婚姻登记处，现场签署声明。"),
        _s("审查", "登记员查验证件、询问情况，通过全国婚姻登记信息系统核查婚姻状况。"),
        _s("登记发证", "符合条件的当场登记，颁发证书。"),
    ],
    materials=[
        _m("居民身份证", "当事人本人有效居民身份证", form="original"),
        _m("本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明",
           "在登记员面前签署", form="original"),
        _m("近期半身免冠照片", "2寸，结婚登记为双方合影", form="original", copies=3),
    ],
    form_fields=_marriage_fields(),
)

MARRIAGE_REGISTRATION_WEDDING = _item(
    "MZJ", 1, "confirmation", "内地居民结婚登记", sub=1, parent=MARRIAGE_REGISTRATION,
    legal_basis=_marriage_basis(),
    level="county",
    service_object="person",
    conditions="男女双方完全自愿，男年满22周岁、女年满20周岁，双方均无配偶，且不属于直系血亲或者三代以内的"
               "旁系血亲；双方共同到任一婚姻登记机关申请（“全国通办”）。",
    statutory_limit=0,
    statutory_note="对符合结婚条件的当场予以登记，发给结婚证（《婚姻登记条例》）。",
    promised_limit=0,
    promised_note="即办。",
    instant=True,
    visits=1,
    visits_reason="结婚登记须男女双方亲自到场，当场签字声明。",
    online_depth=2,
    citywide=True,
    express=False,
    result_type="certificate",
    result_name="结婚证",
    topics=["婚姻生育", "结婚"],
    steps=[
        _s("预约", f"通过{ONLINE}预约，可选择颁证仪式。"),
        _s("受理", "双方到婚姻登记处，现场签署无配偶及无禁止结婚亲属关系的声明。"),
        _s("审查", "查验身份证件，询问双方结婚意愿，联网核查婚姻状况。"),
        _s("登记发证", "当场登记并颁发结婚证。"),
    ],
    materials=[
        _m("居民身份证", "双方本人有效居民身份证", form="original"),
        _m("本人无配偶以及与对方当事人没有直系血亲和三代以内旁系血亲关系的签字声明",
           "双方在登记员面前签署", form="original"),
        _m("双方近期半身免冠合影照片", "2寸", form="original", copies=3),
    ],
    form_fields=_marriage_fields(),
)

MARRIAGE_CERTIFICATE_REISSUE = _item(
    "MZJ", 1, "confirmation", "补领婚姻登记证", sub=2, parent=MARRIAGE_REGISTRATION,
    legal_basis=_marriage_basis(),
    level="county",
    service_object="person",
    conditions="结婚证、离婚证遗失或者损毁的，当事人可以持居民身份证向婚姻登记机关申请补领；"
               "婚姻登记机关对婚姻登记档案查证属实的，予以补发。",
    statutory_limit=0,
    statutory_note="档案查证属实的当场补发。",
    promised_limit=0,
    promised_note="即办；档案需跨地区调取的，调取时间不计入。",
    instant=True,
    visits=1,
    visits_reason="需当事人本人到场核验身份。",
    online_depth=2,
    citywide=True,
    result_type="certificate",
    result_name="补发的结婚证或离婚证",
    topics=["婚姻生育"],
    steps=steps_instant("查验身份，查询婚姻登记档案。", "查证属实的当场补发证书。"),
    materials=[
        _m("居民身份证", "当事人本人有效居民身份证", form="original"),
        _m("近期半身免冠照片", "2寸；补领结婚证的为双方合影", form="original", copies=2),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("certificate_type", "补领证书类型", "choice", choices=["结婚证", "离婚证"]),
        _f("registration_year", "原登记年份", "number", min=1950, max=2026),
        _f("registration_office", "原登记机关", max_length=100),
        f_contact_phone(),
    ],
)

MINIMUM_LIVING_ALLOWANCE = _item(
    "MZJ", 2, "payment", "最低生活保障",
    legal_basis="《社会救助暂行办法》（国务院令第649号）第九条、第十一条；"
                "《最低生活保障审核确认办法》（民发〔2021〕57号）；《浙江省社会救助条例》",
    level="county",
    service_object="person",
    conditions="共同生活的家庭成员人均收入低于湖州市最低生活保障标准，且家庭财产状况符合规定；以家庭为单位向"
               "户籍所在地（或经常居住地）乡镇人民政府（街道办事处）提出申请。",
    statutory_limit=30,
    statutory_note="自受理之日起原则上30个工作日内完成审核确认，特殊情况可延长至45个工作日"
                   "（《最低生活保障审核确认办法》）。",
    promised_limit=15,
    promised_note="依托浙江“大救助”信息系统在线核对家庭经济状况，15个工作日内作出审核确认。",
    online_depth=3,
    result_type="other",
    result_name="最低生活保障审核确认决定（低保金按月发放至社保卡）",
    topics=["社会事务", "社会保障"],
    steps=[
        _s("申请", f"通过{ONLINE}或向乡镇（街道）社会救助窗口提出书面申请。"),
        _s("受理", "乡镇（街道）受理，家庭成员签署经济状况核对授权书。"),
        _s("家庭经济状况调查", "入户调查并通过信息系统核对收入、财产。"),
        _s("审核确认", "乡镇（街道）提出意见，县级民政部门（或受委托的乡镇）审核确认，结果公示。"),
        _s("发放", "自确认之月起按月发放最低生活保障金。"),
    ],
    materials=[
        _m("最低生活保障申请书", "申请人签字", form="electronic"),
        _m("家庭成员居民身份证、居民户口簿", "电子证照核验", form="electronic", source="licence_library"),
        _m("家庭经济状况核对授权书", "共同生活的家庭成员签字", form="original"),
        _m("家庭收入和财产情况声明", "如实申报，承诺信息真实", form="electronic"),
        _m("残疾、重病等特殊情况证明", "有相关情况的提交", required=False, form="copy", missing=True),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        f_residence_address(),
        _f("household_size", "共同生活家庭人口数", "number", min=1, max=20),
        _f("monthly_income", "家庭月总收入（元）", "number", min=0),
        _f("special_circumstances", "特殊情况", "choice", choices=["无", "重度残疾", "重病", "其他"]),
        _f("bank_account", "收款账号", max_length=30, help_="默认发放至社会保障卡金融账户"),
        f_contact_phone(),
    ],
)

SOCIAL_ORGANIZATION = _item(
    "MZJ", 3, "licensing", "社会团体成立登记",
    legal_basis="《社会团体登记管理条例》（国务院令第250号，2016年修订）第三条、第十条、第十一条、第十二条",
    service_object="enterprise",
    conditions="经业务主管单位审查同意；有50个以上的个人会员或者30个以上的单位会员（混合组成的总数不少于50个），"
               "有规范的名称和组织机构、固定的住所、专职工作人员，地方性社会团体有3万元以上活动资金，"
               "能够独立承担民事责任。",
    statutory_limit=60,
    statutory_note="自收到全部有效文件之日起60日内作出批准或者不批准筹备的决定（条例第十二条）；"
                   "筹备完成后申请成立登记的，自收到全部有效文件之日起30日内完成审查。",
    promised_limit=10,
    promised_note="筹备审查和成立登记各10个工作日内办结。",
    online_depth=3,
    result_type="certificate",
    result_name="社会团体法人登记证书",
    topics=["社会事务"],
    steps=steps_standard("审查业务主管单位意见、会员和资金情况、章程草案及负责人情况。",
                         decide="作出批准或不批准筹备的决定；筹备完成后核准成立登记。"),
    materials=[
        _m("筹备申请书", "发起人签署", form="electronic"),
        _m("业务主管单位的批准文件", "加盖业务主管单位公章", form="original"),
        _m("验资报告、场所使用权证明", "活动资金不少于3万元", form="electronic"),
        _m("发起人和拟任负责人的基本情况、身份证明", "身份信息电子证照核验", form="electronic"),
        _m("章程草案", "按社会团体示范章程起草", form="electronic"),
    ],
    form_fields=[
        f_applicant_name("社会团体名称", "拟登记的名称，地方性社会团体不得冠以“中国”“全国”“中华”等字样"),
        f_legal_representative("拟任法定代表人"),
        f_id_number("拟任法定代表人公民身份号码"),
        f_business_address("住所"),
        _f("supervising_unit", "业务主管单位", max_length=100),
        _f("member_count", "会员数量", "number", min=0),
        _f("activity_fund", "活动资金（万元）", "number", min=0),
        f_contact_phone(),
    ],
)

ELDERLY_CARE_FILING = _item(
    "MZJ", 4, "filing", "养老机构备案",
    legal_basis="《中华人民共和国老年人权益保障法》第四十三条；《养老机构管理办法》（民政部令第66号）",
    service_object="enterprise",
    conditions="已依法办理登记的养老机构（事业单位、社会服务机构或企业），登记后即可开展服务活动，"
               "并向县级以上人民政府民政部门备案。",
    statutory_limit=0,
    statutory_note="备案材料齐全的当场出具备案回执。",
    promised_limit=0,
    promised_note="即办。",
    instant=True,
    result_type="other",
    result_name="养老机构备案回执",
    topics=["社会事务"],
    steps=steps_instant("核对登记信息、服务场所和设施情况。", "当场出具备案回执，纳入养老机构监管。"),
    materials=[
        _m("养老机构备案书", "在线填报", form="electronic"),
        _m("法人登记证书或营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("服务场所权属证明或租赁合同", "租赁期限不少于规定年限", form="electronic"),
        _m("服务场所消防、食品等符合要求的承诺", "对消防安全、食品安全等作出承诺", form="electronic",
           commitment=True),
    ],
    form_fields=[
        f_applicant_name("养老机构名称"),
        f_uscc(),
        f_legal_representative(),
        f_business_address("服务场所地址"),
        _f("bed_count", "床位数", "number", min=0),
        f_contact_phone(),
    ],
)


# ===============================================================================================================
# 交通运输局 (JTJ)

ROAD_FREIGHT = _item(
    "JTJ", 1, "licensing", "道路货物运输经营许可",
    legal_basis="《中华人民共和国道路运输条例》第二十一条、第二十二条、第二十四条；《道路货物运输及站场管理规定》",
    service_object="enterprise",
    conditions="申请从事道路普通货物运输经营（使用总质量4500千克及以下普通货运车辆的除外），已办理市场主体登记，"
               "有与经营业务相适应并经检测合格的车辆、取得从业资格的驾驶人员和健全的安全生产管理制度。",
    statutory_limit=20,
    statutory_note="自受理申请之日起20日内审查完毕，作出许可或者不予许可的决定（《道路运输条例》第二十四条）。",
    promised_limit=3,
    promised_note="3个工作日内办结，道路运输经营许可证电子证照同步生成。",
    citywide=True,
    result_type="licence",
    result_name="道路运输经营许可证",
    topics=["交通运输", "经营许可"],
    steps=steps_standard("审查车辆、驾驶人员和安全生产管理制度等条件。"),
    materials=[
        _m("道路货物运输经营申请表", "在线填报", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("拟投入车辆承诺书或车辆行驶证", "承诺车辆符合技术要求；已购置的提交行驶证", form="electronic",
           commitment=True),
        _m("驾驶人员从业资格证", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("安全生产管理制度文本", "含安全生产责任制、操作规程和应急预案", form="electronic", missing=True),
    ],
    form_fields=[
        f_applicant_name("企业名称"),
        f_uscc(),
        f_legal_representative(),
        f_business_address(),
        _f("vehicle_count", "拟投入车辆数", "number", min=1),
        _f("transport_scope", "经营范围", "choice", choices=["道路普通货物运输", "货物专用运输", "大型物件运输"]),
        f_contact_phone(),
    ],
)


# ===============================================================================================================
# 水利局 (SLJ)

WATER_INTAKE = _item(
    "SLJ", 1, "licensing", "取水许可",
    legal_basis="《中华人民共和国水法》第七条、第四十八条；《取水许可和水资源费征收管理条例》（国务院令第460号）"
                "第十条、第十一条",
    joint_departments=[{"department": "STHJ", "review_days": 10}],
    service_object="enterprise",
    conditions="利用取水工程或者设施直接从江河、湖泊或者地下取用水资源的单位和个人（家庭生活等少量取水的除外）；"
               "建设项目需要取水的，已编制建设项目水资源论证报告（表）。",
    statutory_limit=45,
    statutory_note="自受理取水申请之日起45个工作日内决定批准或者不批准（《取水许可和水资源费征收管理条例》）；"
                   "专家论证时间不计入。",
    promised_limit=15,
    promised_note="15个工作日内作出审批决定；取水工程验收合格后当场核发取水许可证。",
    result_type="approval_document",
    result_name="取水申请批准文件（取水工程验收合格后核发取水许可证）",
    topics=["水利水务", "项目投资"],
    joint_rule=JOINT_RULE_CONSULT,
    steps=steps_standard("审查水资源论证报告，征求生态环境部门对退水的意见；涉及第三者利害关系的告知并听取意见。",
                         decide="作出批准或不批准的决定，批准的同时签发取水申请批准文件。"),
    materials=[
        _m("取水许可申请书", "在线填报", form="electronic"),
        _m("与第三者利害关系的相关说明", "无利害关系的作出说明", form="electronic"),
        _m("项目备案（核准）文件", "投资项目在线审批监管平台共享", form="electronic", source="authority"),
        _m("建设项目水资源论证报告书（表）", "编制单位签章", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
    ],
    form_fields=_project_fields(
        _f("water_source", "水源类型", "choice", choices=["地表水", "地下水"]),
        _f("annual_volume", "年取水量（万立方米）", "number", min=0),
        _f("water_use", "取水用途", "choice", choices=["工业", "生活", "农业灌溉", "其他"]),
    ),
)

SOIL_CONSERVATION = _item(
    "SLJ", 2, "licensing", "生产建设项目水土保持方案审批",
    legal_basis="《中华人民共和国水土保持法》第二十五条、第二十六条；《浙江省水土保持条例》",
    service_object="enterprise",
    conditions="在山区、丘陵区以及水土保持规划确定的容易发生水土流失的区域开办可能造成水土流失的生产建设项目，"
               "在开工建设前编制水土保持方案报批；规模较小的项目按浙江省规定实行承诺制或登记备案。",
    statutory_limit=20,
    statutory_note="适用《行政许可法》第四十二条：自受理之日起20个工作日内作出决定；技术评审时间不计入。",
    promised_limit=5,
    promised_note="报告书5个工作日；报告表实行承诺制的当场审批。",
    result_type="approval_document",
    result_name="生产建设项目水土保持方案审批决定",
    topics=["水利水务", "工程建设", "项目投资"],
    steps=steps_standard("组织技术评审，审查水土流失防治责任范围、防治措施和投资估算。"),
    materials=[
        _m("水土保持方案审批申请", "在线填报", form="electronic"),
        _m("生产建设项目水土保持方案报告书（表）", "编制单位签章", form="electronic"),
        _m("项目备案（核准）文件", "投资项目在线审批监管平台共享", form="electronic", source="authority"),
    ],
    form_fields=_project_fields(
        f_land_area(),
        _f("earthwork_volume", "挖填土石方总量（万立方米）", "number", min=0),
    ),
)


# ===============================================================================================================
# 消防救援支队 (XFZD)

FIRE_SAFETY_CHECK = _item(
    "XFZD", 1, "licensing", "公众聚集场所投入使用、营业前消防安全检查",
    legal_basis="《中华人民共和国消防法》第十五条；《公众聚集场所投入使用、营业消防安全检查规则》（应急管理部令第7号）",
    service_object="enterprise",
    conditions="宾馆、饭店、商场、集贸市场、客运车站候车室、体育场馆、会堂、公共娱乐场所等公众聚集场所，在投入使用、"
               "营业前向场所所在地消防救援机构申请；场所所在建设工程已通过消防验收或备案。可选择告知承诺方式办理。",
    statutory_limit=10,
    statutory_note="告知承诺方式：材料齐全、符合法定形式的当场许可，事后核查；不采用告知承诺方式的，"
                   "自受理之日起10个工作日内进行检查并作出决定（《消防法》第十五条）。",
    promised_limit=5,
    promised_note="告知承诺方式当场许可；检查方式5个工作日内办结。",
    result_type="licence",
    result_name="公众聚集场所投入使用、营业前消防安全检查合格证",
    topics=["餐饮住宿", "文化旅游", "经营许可"],
    steps=steps_standard("审查申请材料；选择告知承诺方式的当场作出许可决定。",
                         site="不采用告知承诺方式的，对场所进行消防安全检查；告知承诺方式的按规定事后核查。"),
    materials=[
        _m("公众聚集场所投入使用、营业消防安全检查申请表", "在线填报", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("消防安全制度、灭火和应急疏散预案、场所平面布置图", "标明疏散通道和消防设施位置",
           form="electronic"),
        _m("场所室内装修消防设计施工图、消防产品质量合格证明和装修材料防火性能证明", "与实际装修一致",
           form="electronic", missing=True),
        _m("建设工程消防验收意见书或备案凭证", "住房城乡建设部门共享", form="electronic", source="authority"),
        _m("告知承诺书", "选择告知承诺方式时签署，承诺场所符合消防技术标准", required=False,
           form="electronic", commitment=True),
    ],
    form_fields=[
        f_applicant_name("单位名称"),
        f_uscc(),
        f_legal_representative(),
        f_business_address("场所地址"),
        _f("venue_use", "场所用途", "choice",
           choices=["餐饮场所", "宾馆饭店", "商场市场", "公共娱乐场所", "体育场馆", "其他"]),
        _f("business_area", "经营场所面积（平方米）", "number", min=0),
        _f("fire_check_approach", "办理方式", "choice", choices=["告知承诺", "消防安全检查"]),
        f_contact_phone(),
    ],
)


# ===============================================================================================================
# 人社局 (RSJ)

SOCIAL_SECURITY_CARD = _item(
    "RSJ", 1, "public_service", "社会保障卡申领",
    legal_basis="《中华人民共和国社会保险法》第五十八条第三款；《社会保障卡管理办法》（人力资源社会保障部）",
    service_object="person",
    conditions="参加湖州市社会保险或在湖州居住的人员（含新生儿）首次申领第三代社会保障卡；"
               "可在人社服务窗口、合作银行网点或线上申领。",
    statutory_limit=0,
    statutory_note="法律法规未规定办理时限，按即办件管理。",
    promised_limit=0,
    promised_note="窗口和银行网点即时制卡；线上申领的免费邮寄。",
    instant=True,
    citywide=True,
    id_card_only=True,
    result_type="certificate",
    result_name="社会保障卡（第三代）及电子社保卡",
    topics=["社会保障", "出生", "就业"],
    steps=steps_instant("核验身份信息和参保信息，采集或上传照片。", "即时制卡；线上申领的邮寄送达并短信告知。"),
    materials=[
        _m("社会保障卡申领登记表", "在线填报", form="electronic"),
        _m("居民身份证", "电子证照核验；新生儿凭户籍信息申领", form="electronic", source="licence_library"),
        _m("近期数码照片", "白底免冠，现场采集或在线上传", form="electronic"),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("card_bank", "服务银行", "choice",
           choices=["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "湖州银行", "农商银行"]),
        _f("delivery_address", "邮寄地址", "address", required=False, help_="选择邮寄时填写"),
        f_contact_phone(),
    ],
)

EMPLOYMENT_REGISTRATION = _item(
    "RSJ", 2, "public_service", "就业登记",
    legal_basis="《中华人民共和国就业促进法》；《就业服务与就业管理规定》（劳动和社会保障部令第28号）"
                "第六十二条、第六十三条",
    service_object="both",
    conditions="用人单位招用劳动者后30日内为其办理就业登记；灵活就业人员、个体经营者可本人申请。",
    statutory_limit=0,
    statutory_note="法律法规未规定办理时限，按即办件管理。",
    promised_limit=0,
    promised_note="即办，在线提交后即时完成。",
    instant=True,
    citywide=True,
    result_type="other",
    result_name="就业登记信息（就业创业证电子信息同步更新）",
    topics=["就业", "社会保障", "开办企业"],
    steps=steps_instant("系统核验用人单位和劳动者信息。", "即时完成就业登记，可同步办理社保参保登记。"),
    materials=[
        _m("就业登记信息", "用人单位经办人在线填报", form="electronic"),
        _m("劳动者居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("劳动合同", "已签订的劳动合同，可不上传", required=False, form="electronic"),
    ],
    form_fields=[
        f_applicant_name("用人单位名称"),
        f_uscc(),
        _f("employee_name", "劳动者姓名", max_length=50),
        _f("employee_id_number", "劳动者公民身份号码", "id_number"),
        _f("employment_date", "招用日期", "date"),
        _f("contract_type", "劳动合同类型", "choice",
           choices=["固定期限", "无固定期限", "以完成一定工作任务为期限", "灵活就业"]),
        f_contact_phone(),
    ],
)

RETIREMENT = _item(
    "RSJ", 3, "confirmation", "职工正常退休（职）申请",
    legal_basis="《中华人民共和国社会保险法》第十六条；《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的"
                "决定》；《国务院关于工人退休、退职的暂行办法》（国发〔1978〕104号）",
    service_object="both",
    conditions="参加企业职工基本养老保险、达到法定退休年龄（按渐进式延迟法定退休年龄规定确定），"
               "且累计缴费达到最低缴费年限的职工，由用人单位或本人申请；可按规定选择弹性提前或弹性延迟退休。",
    statutory_limit=0,
    statutory_note="法律法规未规定办理时限；浙江“退休一件事”到龄主动提醒，按即办件管理。",
    promised_limit=0,
    promised_note="即办，次月起发放基本养老金。",
    instant=True,
    citywide=True,
    result_type="other",
    result_name="职工退休核准表及基本养老金待遇核定",
    topics=["退休", "社会保障"],
    steps=steps_instant("核对出生时间、参保缴费年限和档案信息。", "当场核准退休，核定基本养老金，次月起发放。"),
    materials=[
        _m("职工退休申请表", "在线填报，单位或本人确认", form="electronic"),
        _m("居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("职工人事档案", "档案管理机构调阅，出生时间以档案最早记载为准", form="original", source="authority"),
        _m("社会保险缴费记录", "社保经办系统共享", form="electronic", source="authority"),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("employer_name", "所在单位", required=False, max_length=100, help_="灵活就业人员可不填"),
        _f("retire_type", "退休类型", "choice",
           choices=["正常退休", "弹性提前退休", "弹性延迟退休", "特殊工种提前退休"]),
        _f("bank_account", "养老金发放账号", max_length=30, help_="默认发放至社会保障卡金融账户"),
        f_contact_phone(),
    ],
)

UNEMPLOYMENT_BENEFIT = _item(
    "RSJ", 4, "payment", "失业保险金申领",
    legal_basis="《中华人民共和国社会保险法》第四十五条；《失业保险条例》第十四条；"
                "《失业保险金申领发放办法》（劳动和社会保障部令第8号）",
    service_object="person",
    conditions="失业前用人单位和本人已经缴纳失业保险费满一年，非因本人意愿中断就业，已经进行失业登记并有求职要求。",
    statutory_limit=10,
    statutory_note="经办机构自受理之日起10日内对申领资格进行审核认定（《失业保险金申领发放办法》）。",
    promised_limit=1,
    promised_note="线上申领，数据比对通过的1个工作日内核定，按月发放至社会保障卡。",
    citywide=True,
    result_type="other",
    result_name="失业保险待遇核定（失业保险金按月发放）",
    topics=["就业", "社会保障"],
    steps=steps_standard("核对参保缴费记录、劳动关系终止原因和失业登记信息。",
                         decide="核定领取期限和标准，不符合条件的书面告知理由。",
                         deliver="按月发放至申领人社会保障卡金融账户。"),
    materials=[
        _m("失业保险金申领登记表", "在线填报", form="electronic"),
        _m("居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("终止或者解除劳动合同的证明", "用人单位已在线办理减员的由系统共享", form="electronic",
           source="authority"),
    ],
    form_fields=[
        f_person_name(),
        f_id_number(),
        _f("former_employer", "原用人单位", max_length=100),
        _f("separation_date", "劳动关系终止日期", "date"),
        _f("separation_reason", "终止原因", "choice",
           choices=["劳动合同期满终止", "用人单位解除", "用人单位提出协商解除", "其他非本人意愿原因"]),
        f_contact_phone(),
    ],
)

FUNERAL_PENSION_BENEFIT = _item(
    "RSJ", 5, "payment", "参保人员丧葬补助金、抚恤金申领",
    legal_basis="《中华人民共和国社会保险法》第十七条",
    service_object="person",
    conditions="参加基本养老保险的个人因病或者非因工死亡的，其遗属可以申领丧葬补助金和抚恤金；"
               "户口注销后信息自动推送，可在“身后一件事”中一并申请。",
    statutory_limit=0,
    statutory_note="法律法规未规定办理时限，按即办件管理。",
    promised_limit=0,
    promised_note="即办，待遇一次性支付至申领人账户。",
    instant=True,
    citywide=True,
    result_type="other",
    result_name="丧葬补助金、抚恤金待遇核定",
    topics=["身后事", "社会保障"],
    steps=steps_instant("核验死亡信息、参保信息和申领人身份。", "当场核定待遇并支付。"),
    materials=[
        _m("丧葬补助金、抚恤金申领表", "在线填报", form="electronic"),
        _m("居民死亡医学证明或户口注销信息", "卫生健康、公安部门共享", form="electronic", source="authority"),
        _m("申领人居民身份证", "电子证照核验", form="electronic", source="licence_library"),
        _m("申领人与死者关系证明", "户籍信息可核验的免交；无法核验的签署承诺", form="electronic", commitment=True),
    ],
    form_fields=[
        f_person_name("申领人姓名"),
        f_id_number("申领人公民身份号码"),
        _f("deceased_name", "死者姓名", max_length=50),
        _f("deceased_id_number", "死者公民身份号码", "id_number"),
        _f("death_date", "死亡日期", "date"),
        _f("relationship", "与死者关系", "choice", choices=["配偶", "子女", "父母", "其他亲属"]),
        _f("bank_account", "收款账号", max_length=30),
        f_contact_phone(),
    ],
)


# ===============================================================================================================
# 发改委 (FGW)

PROJECT_FILING = _item(
    "FGW", 1, "filing", "企业投资项目备案",
    legal_basis="《企业投资项目核准和备案管理条例》（国务院令第673号）第三条第二款、第十三条、第十四条；"
                "《企业投资项目核准和备案管理办法》（国家发展和改革委员会令第2号）",
    service_object="enterprise",
    conditions="企业在湖州市行政区域内投资建设、不属于《政府核准的投资项目目录》范围的固定资产投资项目，"
               "在开工建设前通过浙江省投资项目在线审批监管平台告知备案信息。",
    statutory_limit=0,
    statutory_note="备案机关收到规定的全部信息即为备案；信息不全的，应当指导企业补正（条例第十四条）。",
    promised_limit=0,
    promised_note="即办，在线提交后即时赋码备案。",
    instant=True,
    result_type="other",
    result_name="企业投资项目备案（赋码）信息表",
    topics=["工程建设", "项目投资"],
    steps=steps_instant("在线平台校验备案信息是否齐全，是否属于产业政策禁止投资建设的项目。",
                        "即时生成项目代码和备案信息表，后续审批统一使用项目代码。"),
    materials=[
        _m("企业投资项目备案信息", "在线填报企业基本情况、项目名称、建设地点、规模和内容、总投资额",
           form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("项目符合产业政策的声明", "企业对备案信息真实性、合法性和完整性负责", form="electronic"),
    ],
    form_fields=[
        f_applicant_name("项目单位"),
        f_uscc(),
        f_project_name(),
        f_construction_site(),
        _f("construction_scale", "建设规模及内容", max_length=1000),
        f_total_investment(),
        _f("planned_start", "拟开工时间", "date"),
        f_contact_phone(),
    ],
)

ENERGY_REVIEW = _item(
    "FGW", 2, "licensing", "固定资产投资项目节能审查",
    legal_basis="《中华人民共和国节约能源法》第十五条；《固定资产投资项目节能审查办法》（国家发展和改革委员会令"
                "2023年第2号）",
    service_object="enterprise",
    conditions="年综合能源消费量1000吨标准煤及以上或年电力消费量500万千瓦时及以上的固定资产投资项目，"
               "在开工建设前取得节能审查意见；位于“区域能评+”区域内的项目按规定实行承诺备案。",
    statutory_limit=20,
    statutory_note="适用《行政许可法》第四十二条：自受理之日起20个工作日内出具审查意见；委托评审时间不计入。",
    promised_limit=10,
    promised_note="10个工作日内出具节能审查意见。",
    result_type="approval_document",
    result_name="固定资产投资项目节能审查意见",
    topics=["工程建设", "项目投资", "环境保护"],
    steps=steps_standard("委托评审机构评审节能报告，审查能效水平、用能总量和能耗强度影响。"),
    materials=[
        _m("节能审查申请", "在线填报", form="electronic"),
        _m("节能报告", "编制单位签章，含能源消费量测算和节能措施", form="electronic"),
        _m("项目备案（核准）文件", "投资项目在线审批监管平台共享", form="electronic", source="authority"),
    ],
    form_fields=_project_fields(
        _f("annual_energy", "年综合能源消费量（吨标准煤，当量值）", "number", min=0),
        _f("annual_electricity", "年电力消费量（万千瓦时）", "number", min=0),
    ),
)


# ===============================================================================================================
# 综合行政执法局 (ZHZF)

OUTDOOR_ADVERTISING = _item(
    "ZHZF", 1, "licensing", "户外广告设施设置审批",
    legal_basis="《城市市容和环境卫生管理条例》第十一条；《中华人民共和国广告法》第四十一条",
    joint_departments=[{"department": "ZRZY", "review_days": 3}, {"department": "GAJ", "review_days": 3}],
    service_object="both",
    conditions="在城市道路、公共场所、建（构）筑物等处设置大型户外广告设施，设置位置、规格符合湖州市户外广告设置"
               "规划和技术规范；已取得设施所依附场地或建（构）筑物的使用权。",
    statutory_limit=20,
    statutory_note="适用《行政许可法》第四十二条：自受理之日起20个工作日内作出决定。",
    promised_limit=5,
    promised_note="征求规划、公安交警意见并联办理，5个工作日内办结。",
    result_type="approval_document",
    result_name="户外广告设施设置许可决定书（载明设置期限）",
    topics=["餐饮住宿", "企业开办", "经营许可"],
    joint_rule=JOINT_RULE_COUNTERSIGN,
    steps=steps_standard("审查设置位置、规格和安全性，并联征求自然资源和规划、公安交警意见。",
                         site="对设置地点进行现场踏勘。"),
    materials=[
        _m("户外广告设施设置申请表", "在线填报", form="electronic"),
        _m("营业执照或身份证明", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("设置场地或载体的产权证明或使用权协议", "租赁的提交租赁协议", form="electronic"),
        _m("设计效果图", "标明位置、尺寸、材质、照明方式，附实景合成图", form="electronic"),
        _m("安全性结构计算书", "大型、高空设施由有资质的设计单位出具；小型设施可签署安全承诺",
           form="electronic", commitment=True),
    ],
    form_fields=[
        f_applicant_name("设置人名称"),
        f_uscc(required=False),
        _f("ad_location", "设置地点", "address", help_="设置在经营场所的，与经营场所地址一致"),
        _f("ad_type", "设施类型", "choice", choices=["单立柱", "墙面广告", "屋顶广告", "电子显示屏", "大型招牌"]),
        _f("ad_size", "广告面积（平方米）", "number", min=0),
        _f("set_duration", "申请设置期限（月）", "number", min=1, max=36),
        f_contact_phone(),
    ],
)

CONSTRUCTION_WASTE = _item(
    "ZHZF", 2, "licensing", "城市建筑垃圾处置核准",
    legal_basis="《国务院对确需保留的行政审批项目设定行政许可的决定》（国务院令第412号）附件第101项；"
                "《城市建筑垃圾管理规定》（建设部令第139号）第七条",
    joint_departments=[{"department": "GAJ", "review_days": 2}],
    service_object="enterprise",
    conditions="建设单位、施工单位在城市规划区内处置建筑垃圾，已与运输单位和消纳场所签订合同，运输车辆具备全密闭"
               "运输装置并安装行驶及装卸记录仪。",
    statutory_limit=20,
    statutory_note="接到申请后20日内作出是否核准的决定（《城市建筑垃圾管理规定》第七条）。",
    promised_limit=3,
    promised_note="征求公安交警对运输路线的意见并联办理，3个工作日内办结。",
    result_type="approval_document",
    result_name="城市建筑垃圾处置核准证",
    topics=["工程建设", "环境保护"],
    joint_rule=JOINT_RULE_CONSULT,
    steps=steps_standard("审查处置方案、运输车辆和消纳场所，征求公安交警对运输路线和时间的意见。"),
    materials=[
        _m("城市建筑垃圾处置核准申请表", "在线填报", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("建筑垃圾处置方案", "含产生量、运输路线、运输时间和消纳场所", form="electronic"),
        _m("与运输单位、消纳场所签订的合同", "运输车辆清单附后", form="electronic"),
        _m("建筑工程施工许可证", "由系统从电子证照库调取", required=False, form="electronic",
           source="licence_library"),
    ],
    form_fields=_project_fields(
        _f("waste_volume", "建筑垃圾量（立方米）", "number", min=0),
        _f("disposal_site", "消纳场所", max_length=100),
        _f("transport_company", "运输单位", max_length=100),
    ),
)


# ===============================================================================================================
# 文广旅局 (WGLJ)

ENTERTAINMENT_VENUE = _item(
    "WGLJ", 1, "licensing", "娱乐场所经营活动审批",
    legal_basis="《娱乐场所管理条例》（2020年修订）第九条；《娱乐场所管理办法》（文化部令第55号，"
                "2022年文化和旅游部令第10号修订）",
    joint_departments=[{"department": "GAJ", "review_days": 5}],
    service_object="enterprise",
    conditions="已取得营业执照，申请从事歌舞、游艺娱乐场所经营活动；场所不在居民楼、博物馆、图书馆、文物保护单位"
               "建筑物内及学校、医院周围等禁止区域，面积和设施符合规定，投资人员和负责人无法定禁止情形。",
    statutory_limit=20,
    statutory_note="适用《行政许可法》第四十二条：自受理之日起20个工作日内作出决定；依法举行听证的时间不计入。",
    promised_limit=10,
    promised_note="含实地检查和公安核查，10个工作日内办结。",
    result_type="licence",
    result_name="娱乐经营许可证",
    topics=["文化旅游", "经营许可"],
    joint_rule={"all_must_approve": True, "one_veto": True, "timeout_consent": False, "absence_consent": False},
    steps=steps_standard("就投资人员和负责人的书面声明向公安机关核查。",
                         site="实地检查场所位置、面积、设施设备，核定容纳的消费者数量。"),
    materials=[
        _m("娱乐场所经营活动申请表", "在线填报", form="electronic"),
        _m("营业执照", "由系统从电子证照库调取", form="electronic", source="licence_library"),
        _m("投资人员、法定代表人和其他负责人的有效身份证件", "电子证照核验", form="electronic",
           source="licence_library"),
        _m("投资人员、法定代表人和其他负责人没有《娱乐场所管理条例》第五条规定情形的书面声明",
           "本人签字，对内容真实性负责", form="original"),
        _m("营业场所产权证明或租赁合同", "租赁期限覆盖申请经营期限", form="electronic"),
        _m("营业场所平面图", "标明包厢（包间）、通道和出入口", form="electronic"),
    ],
    form_fields=[
        f_applicant_name("单位名称"),
        f_uscc(),
        f_legal_representative(),
        f_business_address(),
        _f("venue_kind", "场所类型", "choice", choices=["歌舞娱乐场所", "游艺娱乐场所"]),
        _f("business_area", "经营场所面积（平方米）", "number", min=0),
        _f("room_count", "包厢（包间）数量", "number", required=False, min=0),
        f_contact_phone(),
    ],
)


# ===============================================================================================================

ITEMS = [
    # 市场监管局
    FOOD_LICENCE, FOOD_LICENCE_NEW, FOOD_LICENCE_CHANGE, FOOD_LICENCE_RENEW, FOOD_LICENCE_CANCEL,
    COMPANY_REGISTRATION, INDIVIDUAL_BUSINESS, PHARMACY_LICENCE, SPECIAL_EQUIPMENT,
    # 住建局
    CONSTRUCTION_PERMIT, FIRE_DESIGN_REVIEW, FIRE_ACCEPTANCE, FIRE_ACCEPTANCE_FILING, CIVIL_DEFENSE,
    COMPLETION_FILING, DRAINAGE_PERMIT,
    # 自然资源和规划局
    LAND_USE_PLANNING, BUILDING_PLANNING, PLANNING_VERIFICATION,
    ESTATE_REGISTRATION, LAND_FIRST_REGISTRATION, HOUSE_TRANSFER_REGISTRATION,
    # 生态环境局
    EIA_APPROVAL, EIA_REPORT, EIA_FORM, EIA_REGISTRATION_FILING, POLLUTANT_PERMIT,
    # 卫健委
    PUBLIC_VENUE_HEALTH, MEDICAL_INSTITUTION, BIRTH_CERTIFICATE, PHYSICIAN_REGISTRATION, BIRTH_REGISTRATION_FAMILY,
    # 公安局
    BIRTH_HOUSEHOLD, HOUSEHOLD_MIGRATION, ID_CARD_RENEWAL, DRIVING_LICENCE_RENEWAL, DOG_REGISTRATION, PASSPORT,
    DEATH_HOUSEHOLD_CANCEL,
    # 民政局
    MARRIAGE_REGISTRATION, MARRIAGE_REGISTRATION_WEDDING, MARRIAGE_CERTIFICATE_REISSUE, MINIMUM_LIVING_ALLOWANCE,
    SOCIAL_ORGANIZATION, ELDERLY_CARE_FILING,
    # 交通运输局、水利局、消防救援支队
    ROAD_FREIGHT, WATER_INTAKE, SOIL_CONSERVATION, FIRE_SAFETY_CHECK,
    # 人社局
    SOCIAL_SECURITY_CARD, EMPLOYMENT_REGISTRATION, RETIREMENT, UNEMPLOYMENT_BENEFIT, FUNERAL_PENSION_BENEFIT,
    # 发改委、综合行政执法局、文广旅局
    PROJECT_FILING, ENERGY_REVIEW, OUTDOOR_ADVERTISING, CONSTRUCTION_WASTE, ENTERTAINMENT_VENUE,
]


def _codes_of(*items: dict) -> list[str]:
    return [item["implementation_code"] for item in items]


BUNDLES = [
    {
        "name": "开办餐饮店“一件事”",
        "kind": "one_thing",
        "lead_department": "SCJG",
        "audience": "enterprise",
        "topic": "餐饮住宿",
        "guide": "开办一家餐饮店，通过“一张表单、一套材料、一次提交”同时申请营业执照、食品经营许可、"
                 "城镇污水排入排水管网许可，按需申请户外广告（大型招牌）设置审批和公众聚集场所投入使用、"
                 "营业前消防安全检查。市场监管局牵头，综合窗口统一受理后分送各部门并联审批，"
                 "营业执照核发后其余事项自动调用执照信息，无需重复提交。饭馆本身不再办理公共场所卫生许可"
                 "（国发〔2016〕12号），店内同时经营住宿、沐浴、美容美发等场所的才需申请。"
                 "食品经营许可和排水许可可选择告知承诺方式当场发证，事后核查。全部证照电子化，纸质证照免费邮寄。",
        "promised_limit": 3,
        "stages": [],
        "items": _codes_of(COMPANY_REGISTRATION, FOOD_LICENCE_NEW, PUBLIC_VENUE_HEALTH, OUTDOOR_ADVERTISING,
                           DRAINAGE_PERMIT, FIRE_SAFETY_CHECK),
    },
    {
        "name": "工业建设项目“一个项目”（从立项到竣工验收）",
        "kind": "one_project",
        "lead_department": "ZJJ",
        "audience": "enterprise",
        "topic": "工程建设",
        "guide": "社会投资工业项目按《国务院办公厅关于全面开展工程建设项目审批制度改革的实施意见》"
                 "（国办发〔2019〕11号）分为立项用地规划许可、工程建设许可、施工许可、竣工验收四个阶段，"
                 "每个阶段由牵头部门“一家牵头、并联审批、限时办结”，实行“一份办事指南、一张申请表单、"
                 "一套申报材料”，阶段内各事项同时审查。项目代码贯穿全过程，前一阶段的批准文件和电子证照"
                 "自动共享给后续阶段，不再重复提交。“标准地”项目实行承诺制，环评、节能、水土保持等评估评价"
                 "以区域评估成果替代或简化。全流程审批时间不超过国办发〔2019〕11号要求的120个工作日；"
                 "本项目承诺45个工作日（不含申请人补正材料和依法公示、听证、专家评审的时间）。",
        "promised_limit": 45,
        "stages": [
            {"name": "立项用地规划许可", "lead_department": "FGW",
             "items": _codes_of(PROJECT_FILING, LAND_USE_PLANNING, LAND_FIRST_REGISTRATION, ENERGY_REVIEW,
                                SOIL_CONSERVATION)},
            {"name": "工程建设许可", "lead_department": "ZRZY",
             "items": _codes_of(BUILDING_PLANNING, EIA_FORM)},
            {"name": "施工许可", "lead_department": "ZJJ",
             "items": _codes_of(FIRE_DESIGN_REVIEW, CIVIL_DEFENSE, CONSTRUCTION_PERMIT, CONSTRUCTION_WASTE)},
            {"name": "竣工验收", "lead_department": "ZJJ",
             "items": _codes_of(PLANNING_VERIFICATION, FIRE_ACCEPTANCE, FIRE_ACCEPTANCE_FILING, COMPLETION_FILING,
                                POLLUTANT_PERMIT)},
        ],
        "items": [],
    },
    {
        "name": "新生儿出生“一件事”",
        "kind": "one_thing",
        "lead_department": "WJW",
        "audience": "person",
        "topic": "出生",
        "guide": "宝宝出生后，父母在助产医院或通过浙里办一次申请，即可办理出生医学证明、出生登记（户口登记）、"
                 "社会保障卡申领和生育登记。卫健委牵头，出生医学证明签发后信息自动推送公安、人社，"
                 "父母无需再跑派出所和社保窗口；户口簿和社会保障卡免费邮寄到家。"
                 "新生儿出生登记应在出生后一个月以内办理（《户口登记条例》第七条）。",
        "promised_limit": 3,
        "stages": [],
        "items": _codes_of(BIRTH_CERTIFICATE, BIRTH_HOUSEHOLD, SOCIAL_SECURITY_CARD, BIRTH_REGISTRATION_FAMILY),
    },
    {
        "name": "身后“一件事”",
        "kind": "one_thing",
        "lead_department": "MZJ",
        "audience": "person",
        "topic": "身后事",
        "guide": "亲人离世后，家属一次申请、一次提交，即可办理户口注销和参保人员丧葬补助金、抚恤金申领。"
                 "民政局牵头，死亡医学证明信息由卫生健康部门共享，户口注销后自动推送人社部门停保并核定待遇，"
                 "待遇一次性支付至申领人账户，家属无需往返多个部门。",
        "promised_limit": 1,
        "stages": [],
        "items": _codes_of(DEATH_HOUSEHOLD_CANCEL, FUNERAL_PENSION_BENEFIT),
    },
]
