"""Industries, organisation, specialties and the check-item list of the demo bureau.

Industry codes and names are classes of GB/T 4754-2017 (国民经济行业分类) among the trades that
pollution-source registries are made of. The departments are those the seed names (实施方案 三, the
members of the leading group) and the units a county branch usually has. The item list follows the
shape of published 生态环境 随机抽查事项清单 (e.g. 孝感市生态环境局 2024: 抽查事项, 检查对象, 检查方式,
检查依据) with Baoding's departments as responsible and cooperating units; where an article number could
not be checked, the chapter of the law is cited instead of a guessed article.
"""

from typing import NamedTuple


class Industry(NamedTuple):
    code: str
    name: str
    words: tuple[str, ...]
    """Trade words that appear in enterprise names, e.g. 化工 in “保定市恒达化工有限公司”."""
    weight: float
    """Base prevalence among registered sources."""
    key_share: float
    """Share of such units on the key-unit directory (重点排污单位名录)."""
    outlets: str
    """Kinds of outlet such a unit has: "air", "water", "both" or "" (none to monitor)."""
    registration: str = "91"
    """First two characters of the credit code: 91 企业, 92 个体工商户, 12 事业单位."""


INDUSTRIES: tuple[Industry, ...] = (
    Industry("C1351", "牲畜屠宰", ("食品", "肉类加工", "屠宰"), 3, 0.10, "water"),
    Industry("C1371", "蔬菜加工", ("农产品", "食品", "蔬菜制品"), 2, 0.03, "water"),
    Industry("C1391", "淀粉及淀粉制品制造", ("淀粉", "粮油"), 2, 0.10, "water"),
    Industry("C1441", "液体乳制造", ("乳业", "乳品"), 1, 0.15, "water"),
    Industry("C1512", "白酒制造", ("酒业", "酿酒"), 1, 0.08, "water"),
    Industry("C1712", "棉织造加工", ("纺织", "织造"), 3, 0.02, "water"),
    Industry("C1713", "棉印染精加工", ("印染", "纺织印染"), 3, 0.20, "water"),
    Industry("C1910", "皮革鞣制加工", ("皮革", "制革"), 2, 0.30, "water"),
    Industry("C1922", "皮箱、包（袋）制造", ("箱包", "皮具"), 4, 0.01, "air"),
    Industry("C2110", "木质家具制造", ("家具", "木业"), 3, 0.02, "air"),
    Industry("C2221", "机制纸及纸板制造", ("纸业", "造纸"), 3, 0.25, "water"),
    Industry("C2231", "纸和纸板容器制造", ("包装", "纸制品"), 3, 0.02, "air"),
    Industry("C2319", "包装装潢及其他印刷", ("印刷", "印务"), 3, 0.03, "air"),
    Industry("C2511", "原油加工及石油制品制造", ("石化", "石油化工"), 0.3, 0.90, "both"),
    Industry("C2613", "无机盐制造", ("化工", "化学"), 1, 0.30, "both"),
    Industry("C2614", "有机化学原料制造", ("化工", "精细化工", "化学"), 2, 0.45, "both"),
    Industry("C2631", "化学农药制造", ("农药", "生物化工"), 0.5, 0.50, "both"),
    Industry("C2641", "涂料制造", ("涂料", "化工"), 1, 0.30, "air"),
    Industry("C2710", "化学药品原料药制造", ("制药", "药业"), 1, 0.50, "both"),
    Industry("C2730", "中药饮片加工", ("药业", "中药饮片"), 3, 0.05, "water"),
    Industry("C2740", "中成药生产", ("制药", "药业"), 1, 0.20, "water"),
    Industry("C2913", "橡胶零件制造", ("橡胶", "橡塑"), 2, 0.05, "air"),
    Industry("C2922", "塑料板、管、型材制造", ("塑料", "塑业", "管业"), 3, 0.03, "air"),
    Industry("C3011", "水泥制造", ("水泥", "建材"), 0.7, 0.85, "air"),
    Industry("C3021", "水泥制品制造", ("建材", "水泥制品"), 3, 0.02, "air"),
    Industry("C3031", "粘土砖瓦及建筑砌块制造", ("建材", "新型建材"), 2, 0.08, "air"),
    Industry("C3032", "建筑用石加工", ("石材", "石业"), 3, 0.02, "air"),
    Industry("C3041", "平板玻璃制造", ("玻璃",), 0.3, 0.80, "air"),
    Industry("C3099", "其他非金属矿物制品制造", ("耐火材料", "非金属材料"), 1, 0.10, "air"),
    Industry("C3110", "炼铁", ("钢铁", "冶金"), 0.3, 0.95, "both"),
    Industry("C3120", "炼钢", ("钢铁", "特钢"), 0.3, 0.95, "both"),
    Industry("C3130", "钢压延加工", ("钢材", "轧钢", "金属制品"), 1.5, 0.20, "air"),
    Industry("C3216", "铝冶炼", ("铝业",), 0.2, 0.80, "air"),
    Industry("C3252", "铝压延加工", ("铝业", "铝材"), 1, 0.10, "air"),
    Industry("C3311", "金属结构制造", ("钢结构", "金属结构"), 3, 0.02, "air"),
    Industry("C3312", "金属门窗制造", ("门窗", "金属门窗"), 2, 0.02, "air"),
    Industry("C3360", "金属表面处理及热处理加工", ("电镀", "表面处理", "热处理"), 2, 0.40, "water"),
    Industry("C3670", "汽车零部件及配件制造", ("汽车零部件", "汽配"), 4, 0.05, "air"),
    Industry("C4210", "金属废料和碎屑加工处理", ("再生资源", "有色金属回收"), 2, 0.10, "air"),
    Industry("D4411", "火力发电", ("热电", "发电"), 0.3, 0.95, "air"),
    Industry("D4430", "热力生产和供应", ("热力", "供热"), 1, 0.40, "air"),
    Industry("D4620", "污水处理及其再生利用", ("污水处理", "水务"), 1, 0.80, "water"),
    Industry("N7723", "固体废物治理", ("环保科技", "固废处置"), 0.5, 0.50, "air"),
    Industry("N7724", "危险废物治理", ("环保科技", "危废处置"), 0.3, 0.90, "both"),
    Industry("A0313", "猪的饲养", ("养殖", "牧业"), 3, 0.08, "water"),
    Industry("A0321", "鸡的饲养", ("养殖", "禽业"), 2, 0.03, "water"),
    Industry("B0810", "铁矿采选", ("矿业", "铁矿"), 0.7, 0.30, "water"),
    Industry("B1011", "石灰石、石膏开采", ("矿业", "石料"), 1, 0.05, "air"),
    Industry("F5265", "机动车燃油零售", ("加油站",), 2, 0.0, "air"),
    Industry("M7452", "检测服务", ("机动车检测", "检测"), 1, 0.0, ""),
    Industry("O8111", "汽车修理与维护", ("汽车修理", "汽修"), 4, 0.0, "air", "92"),
    Industry("Q8411", "综合医院", ("医院",), 1, 0.15, "water", "12"),
)

ENTERPRISE_SUFFIXES = ("有限公司", "有限公司", "有限公司", "有限责任公司", "股份有限公司", "厂")
SOLE_TRADER_SUFFIXES = ("部", "中心", "服务部")
BRAND_CHARACTERS = ("恒达鑫盛宏源华泰瑞丰隆兴昌利永德信诚金宝新联通安嘉润海天顺远宇泽凯晟辉腾博创伟升益康福星鹏"
                    "亿祥和荣耀光明中同正方元春江山峰林森旭晨阳冀燕钰豪骏卓越锦绣聚汇合力众")
ROADS = ("建设路", "朝阳路", "工业路", "东风路", "长城大街", "复兴路", "人民路", "府前街", "团结路", "新华路",
         "光明街", "兴业路", "开发区大道", "环城路", "胜利街", "北环路", "南环路", "创业路", "振兴路", "和平路")
PARKS = ("经济开发区", "工业园区", "产业园", "循环经济园区")

SURNAMES = ("王王王李李李张张张刘刘刘赵赵杨杨陈陈孙周吴徐马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁"
            "潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
            "黎贺顾毛郝龚邵万覃武钱戴严莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿")
GIVEN_NAME_CHARACTERS = ("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华建国志红玉兰海燕鹏辉鑫宇浩然"
                         "晓东立新子涵梓轩雪梅春生文博佳怡思远俊杰振华永胜凤英秀兰淑珍金凤宏亮学军德明")

MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
                   "157", "158", "159", "166", "173", "176", "177", "180", "181", "183", "185", "186", "187",
                   "188", "189", "191", "198", "199")

AIR_OUTLET_NAMES = ("锅炉废气排放口", "工艺废气排放口", "喷涂废气排放口", "破碎粉尘排放口", "窑炉废气排放口",
                    "有机废气排放口")
WATER_OUTLET_NAMES = ("废水总排放口", "生产废水排放口", "生活污水排放口", "雨水排放口")

DEFUNCT_REASONS = ("企业注销", "关停取缔", "搬迁至辖区外", "长期停产，吊销营业执照", "转产，不再排放污染物")
KEY_REASON = "列入{city}重点排污单位名录"
SPECIAL_REASONS = ("上一季度因环境违法问题被行政处罚", "上一季度因环境污染问题被群众举报",
                   "上一季度同一排口在线监测数据超标5次以上")
POSITIVE_REASON = "列入生态环境监督执法正面清单"
RECUSAL_REASONS = ("近亲属在该单位担任管理职务", "曾在该单位任职未满三年", "与该单位存在经济往来",
                   "本人申请回避：与法定代表人系同学关系")


class Specialty(NamedTuple):
    code: str
    name: str


SPECIALTIES: tuple[Specialty, ...] = (
    Specialty("air", "大气"), Specialty("water", "水"), Specialty("solid_waste", "固体废物"),
    Specialty("radiation", "辐射"), Specialty("noise", "噪声"), Specialty("soil", "土壤"),
    Specialty("eia", "环境影响评价"), Specialty("monitoring", "监测"), Specialty("vehicle", "机动车"),
    Specialty("ecology", "自然生态"),
)


class DepartmentSpec(NamedTuple):
    name: str
    code: str
    enforcement: bool
    specialties: tuple[str, ...]
    """Specialties its officers usually hold; the first is the department's own."""
    share: float
    """Share of the jurisdiction's inspectors who belong to it."""


ENFORCEMENT_CODE = "ZF"
"""Code of the unit that organises inspections (支队, 大队, 执法局) in every bureau."""


# The city bureau's 处室 named in the seed (实施方案 三), in the seed's order. 法规与标准处 reviews cases
# but does not inspect, so it has no enforcement duty and no inspectors.
CITY_DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("法规与标准处", "FG", False, (), 0),
    DepartmentSpec("自然生态保护处", "ST", True, ("ecology", "soil"), 0.04),
    DepartmentSpec("水生态环境处", "WA", True, ("water",), 0.06),
    DepartmentSpec("大气环境处", "AI", True, ("air", "noise"), 0.07),
    DepartmentSpec("土壤生态环境处", "SO", True, ("soil", "solid_waste"), 0.05),
    DepartmentSpec("固体废物及化学品处", "SW", True, ("solid_waste",), 0.06),
    DepartmentSpec("辐射安全管理处", "RA", True, ("radiation",), 0.05),
    DepartmentSpec("环境影响评价与排放管理处", "EI", True, ("eia", "air", "water"), 0.06),
    DepartmentSpec("生态环境监测处", "MO", True, ("monitoring",), 0.05),
    DepartmentSpec("机动车污染防治处", "VE", True, ("vehicle", "air"), 0.04),
    DepartmentSpec("生态环境综合执法支队", "ZF", True, ("air", "water", "solid_waste", "noise"), 0.52),
)
CITY_ENFORCEMENT_UNIT = "生态环境综合执法支队"

COUNTY_DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("综合股", "ZH", False, (), 0),
    DepartmentSpec("生态环境综合执法大队", "ZF", True, ("air", "water", "solid_waste", "noise"), 0.62),
    DepartmentSpec("环境影响评价股", "EI", True, ("eia",), 0.08),
    DepartmentSpec("大气环境股", "AI", True, ("air", "vehicle"), 0.09),
    DepartmentSpec("水生态环境股", "WA", True, ("water",), 0.08),
    DepartmentSpec("土壤和固体废物股", "SW", True, ("solid_waste", "soil", "radiation"), 0.08),
    DepartmentSpec("生态环境监测站", "MO", True, ("monitoring",), 0.05),
)
COUNTY_ENFORCEMENT_UNIT = "生态环境综合执法大队"

PROVINCE_DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    *CITY_DEPARTMENTS[:-1],
    DepartmentSpec("生态环境保护综合执法局", "ZF", True, ("air", "water", "solid_waste", "noise"), 0.52),
)

EXTERNAL_ORGANISATIONS = {
    "testing_institute": ("{city}环境监测技术服务有限公司", "河北{brand}检测技术有限公司", "{city}{brand}环境检测中心"),
    "research_institute": ("{city}环境科学研究院", "河北省生态环境科学研究院", "河北大学环境科学与工程学院"),
    "expert": ("{city}生态环境专家库",),
}
EXPERT_QUALIFICATIONS = ("高级工程师", "工程师", "研究员", "副教授", "注册环保工程师")
OFFICER_QUALIFICATIONS = ("生态环境行政执法证", "生态环境行政执法证；辐射安全培训合格",
                          "生态环境行政执法证；危险废物规范化管理培训合格")


class CheckItemSpec(NamedTuple):
    number: int
    name: str
    legal_basis: str
    content: str
    responsible: str
    cooperating: tuple[str, ...]
    categories: tuple[str, ...]
    specialty: str | None
    method: str = "现场检查"
    industries: str = ""
    """适用行业: the GB/T 4754-2017 codes or prefixes of the 检查对象 the item is for; blank, every industry."""


CHECK_ITEMS: tuple[CheckItemSpec, ...] = (
    CheckItemSpec(
        1, "排污许可制度执行情况",
        "《排污许可管理条例》第十七条、第十九条、第二十一条、第二十二条；《中华人民共和国环境保护法》第四十五条",
        "是否持证排污、按证排污；排放口设置是否与许可证一致；是否按规定开展自行监测、建立环境管理台账、"
        "提交执行报告并公开排污信息。",
        "环境影响评价与排放管理处", ("生态环境综合执法支队", "生态环境监测处"), ("general", "key", "special"), None),
    CheckItemSpec(
        2, "大气污染防治设施运行及大气污染物排放情况",
        "《中华人民共和国大气污染防治法》第十八条、第二十条、第二十九条",
        "大气污染防治设施是否正常运行；大气污染物是否达标排放；有无通过偷排、篡改监测数据、"
        "不正常运行防治设施等逃避监管的方式排放大气污染物。",
        "大气环境处", ("生态环境综合执法支队",), ("general", "key", "special"), "air"),
    CheckItemSpec(
        3, "挥发性有机物污染防治情况",
        "《中华人民共和国大气污染防治法》第四十五条、第四十六条",
        "产生含挥发性有机物废气的生产活动是否在密闭空间或设备中进行并按规定安装使用污染防治设施；"
        "原辅材料使用及台账记录情况。",
        "大气环境处", ("生态环境综合执法支队",), ("general", "key", "special"), "air"),
    CheckItemSpec(
        4, "水污染防治设施运行及水污染物排放情况",
        "《中华人民共和国水污染防治法》第十条、第二十二条、第三十九条",
        "水污染防治设施是否正常运行；水污染物是否达标排放；排污口设置是否规范；"
        "有无利用渗井、渗坑、暗管等逃避监管的方式排放水污染物。",
        "水生态环境处", ("生态环境综合执法支队",), ("general", "key", "special"), "water"),
    CheckItemSpec(
        5, "入河排污口设置情况",
        "《中华人民共和国水污染防治法》第十九条",
        "新建、改建、扩建入河排污口是否依法办理设置手续；排污口标志牌、监测采样点设置情况。",
        "水生态环境处", ("生态环境监测处",), ("general", "key", "special"), "water"),
    CheckItemSpec(
        6, "工业固体废物污染环境防治情况",
        "《中华人民共和国固体废物污染环境防治法》第三十六条",
        "是否建立工业固体废物污染环境防治责任制度和管理台账；贮存、利用、处置是否符合要求；"
        "委托他人运输、利用、处置的，是否核实受托方主体资格和技术能力。",
        "固体废物及化学品处", ("生态环境综合执法支队",), ("general", "key", "special"), "solid_waste"),
    CheckItemSpec(
        7, "危险废物规范化环境管理情况",
        "《中华人民共和国固体废物污染环境防治法》第六章（危险废物）",
        "危险废物识别标志、管理计划、管理台账、申报登记；贮存设施是否符合标准；"
        "是否执行转移联单制度并交由持证单位利用处置。",
        "固体废物及化学品处", ("生态环境综合执法支队", "土壤生态环境处"), ("general", "key", "special"),
        "solid_waste"),
    CheckItemSpec(
        8, "建设项目环境影响评价及“三同时”制度执行情况",
        "《中华人民共和国环境影响评价法》第二十五条；《建设项目环境保护管理条例》第十五条、第十九条",
        "建设项目是否依法开展环境影响评价并取得批复；环境保护设施是否与主体工程同时设计、同时施工、"
        "同时投产使用；是否按规定开展竣工环境保护验收。",
        "环境影响评价与排放管理处", ("生态环境综合执法支队",), ("general", "key", "special"), "eia"),
    CheckItemSpec(
        9, "污染源自动监控设施建设及运行情况",
        "《中华人民共和国大气污染防治法》第二十四条；《中华人民共和国水污染防治法》第二十三条；"
        "《污染源自动监控设施现场监督检查办法》",
        "重点排污单位是否按规定安装自动监测设备并与生态环境主管部门监控设备联网；"
        "设备是否正常运行，数据是否真实、完整、有效。",
        "生态环境监测处", ("生态环境综合执法支队",), ("key", "special"), "monitoring", "现场检查、非现场检查"),
    CheckItemSpec(
        10, "突发环境事件应急预案及环境风险防控情况",
        "《中华人民共和国环境保护法》第四十七条；《突发环境事件应急管理办法》",
        "是否编制突发环境事件应急预案并备案；环境风险防控设施、应急物资储备和应急演练情况。",
        "生态环境综合执法支队", ("固体废物及化学品处", "水生态环境处"), ("key", "special"), None),
    CheckItemSpec(
        11, "工业噪声污染防治情况",
        "《中华人民共和国噪声污染防治法》第四章（工业噪声污染防治）",
        "排放工业噪声的单位是否采取有效措施减少振动、降低噪声；厂界噪声是否达标；"
        "实行排污许可管理的是否按证排放工业噪声。",
        "大气环境处", ("生态环境监测处",), ("general", "key", "special"), "noise"),
    CheckItemSpec(
        12, "土壤污染重点监管单位义务履行情况",
        "《中华人民共和国土壤污染防治法》第二十一条",
        "是否严格控制有毒有害物质排放并按年度报告排放情况；是否建立土壤污染隐患排查制度；"
        "是否制定、实施自行监测方案并将监测数据报生态环境主管部门。",
        "土壤生态环境处", ("生态环境监测处",), ("key", "special"), "soil"),
    CheckItemSpec(
        13, "核技术利用单位辐射安全许可及防护情况",
        "《中华人民共和国放射性污染防治法》第二十八条；《放射性同位素与射线装置安全和防护条例》第五条",
        "使用放射性同位素和射线装置的单位是否取得辐射安全许可证；辐射防护设施、警示标志、"
        "个人剂量监测和放射源台账情况。",
        "辐射安全管理处", (), ("general", "key", "special"), "radiation"),
    CheckItemSpec(
        14, "机动车排放检验机构检验行为",
        "《中华人民共和国大气污染防治法》第五十四条",
        "机动车排放检验机构是否依法通过资质认定；检验设备、检验流程是否合规；"
        "是否出具虚假排放检验报告。",
        "机动车污染防治处", ("生态环境监测处",), ("general",), "vehicle", industries="M7452"),
    CheckItemSpec(
        15, "排污单位自行监测及监测数据质量",
        "《中华人民共和国环境保护法》第四十二条；《排污许可管理条例》第十九条",
        "是否按规定制定并实施自行监测方案；监测点位、频次、指标是否符合要求；"
        "有无篡改、伪造监测数据的行为。",
        "生态环境监测处", ("生态环境综合执法支队",), ("general", "key", "special"), "monitoring"),
    CheckItemSpec(
        16, "自然保护地内开发建设活动情况",
        "《中华人民共和国自然保护区条例》第二十六条、第三十二条",
        "自然保护区核心区、缓冲区内有无建设生产设施；有无开矿、采石、挖沙等禁止性活动；"
        "实验区内建设项目是否依法审批。",
        "自然生态保护处", ("生态环境综合执法支队",), ("general",), "ecology", industries="B E"),
    CheckItemSpec(
        17, "企业环境信息依法披露情况",
        "《中华人民共和国环境保护法》第五十五条；《企业环境信息依法披露管理办法》",
        "重点排污单位是否如实公开主要污染物名称、排放方式、排放浓度和总量、超标排放情况，"
        "以及防治污染设施的建设和运行情况。",
        "环境影响评价与排放管理处", ("法规与标准处",), ("key", "special"), None, "现场检查、书面检查"),
)
