"""Sites in page families the section rules were never tuned on, with notices and news of their own.

Written before the rules were revised (issue 9), to measure them out of sample: a city bureau
whose pages are pasted from Word (``MsoNormal`` spans), a Guangdong 政府信息公开 platform
(gkmlpt) and a city bureau whose 工作动态 column mixes 召开/举办/培训 reports with green words
in their titles among its notices. Nothing here comes from the seed issues; the notices are
realistic (文号, 主送, signers, dates) and labelled with the section an editor would choose.

``GovWebThread(seeds=UNSEEN_NOTICES, sites=UNSEEN_SITES, held_back=0)`` serves them.
"""

from __future__ import annotations

from simulator.seednotice import SeedNotice
from simulator.sites import SiteSpec

WORDPASTE = "wordpaste"
GKMLPT = "gkmlpt"
NEWSROOM = "newsroom"
ISSUE = "unseen"
"""The ``issue`` of every notice here: none of them was in a past issue."""

_ROWS = 50
"""One listing page holds a whole column here: these families are about pages, not paging."""

UNSEEN_SITES: tuple[SiteSpec, ...] = (
    SiteSpec(
        name="gxj-zhuzhou",
        host="gxj.zhuzhou.gov.cn",
        agency="株洲市工业和信息化局",
        region="株洲",
        family=WORDPASTE,
        listing_path="/c14906/index.html",
        encoding="utf-8",
        site_name="株洲市工业和信息化局",
        site_id_code="4302000021",
        detail_pattern="/c14906/{ymd}/i{id}.html",
        attach_pattern="/u/cms/gxj/{yyyymm}/{hex}.{ext}",
        column="通知公告",
        news_count=4,
        page_size=_ROWS,
    ),
    SiteSpec(
        name="gxj-foshan",
        host="gxj.foshan.gov.cn",
        agency="佛山市工业和信息化局",
        region="佛山",
        family=GKMLPT,
        listing_path="/gkmlpt/index",
        encoding="utf-8",
        site_name="佛山市工业和信息化局",
        site_id_code="4406000017",
        detail_pattern="/gkmlpt/content/5/{id5}/post_{id}.html",
        attach_pattern="/attachment/0/{id5}/{hex}.{ext}",
        column="政府信息公开",
        news_count=3,
        page_size=_ROWS,
    ),
    SiteSpec(
        name="jxj-jiaxing",
        host="jxj.jiaxing.gov.cn",
        agency="嘉兴市经济和信息化局",
        region="嘉兴",
        family=NEWSROOM,
        listing_path="/xwdt/gzdt/index.html",
        encoding="utf-8",
        site_name="嘉兴市经济和信息化局",
        site_id_code="3304000043",
        detail_pattern="/xwdt/gzdt/{yyyymm}/t{ymd}_{id}.html",
        attach_pattern="/xwdt/gzdt/{yyyymm}/P0{ymd}{digits12}.{ext}",
        column="工作动态",
        aliases=("嘉兴市经信局",),
        news_count=9,
        page_size=_ROWS,
        news_shapes=(
            (
                "市经信局召开全市绿色制造体系建设工作推进会",
                (
                    "本网讯 {md}，市经信局召开全市绿色制造体系建设工作推进会，"
                    "各县（市、区）经信局分管负责人参加会议。",
                    "会议通报了今年以来绿色工厂、绿色园区和绿色供应链管理企业创建情况，部署下一阶段重点工作。",
                    "会议强调，要坚持以节能降碳为引领，推动更多企业对标创建，力争全年新增省级以上绿色工厂10家以上。",
                ),
            ),
            (
                "嘉兴市举办{year}年工业节能与绿色发展专题培训班",
                (
                    "{md}，嘉兴市{year}年工业节能与绿色发展专题培训班开班，来自全市重点用能企业的120余名能源管理负责人参加培训。",
                    "培训班邀请省节能监察中心专家围绕能效诊断、节能技术改造和绿色工厂评价等内容进行授课。",
                ),
            ),
            (
                "市经信局举办“节能服务进企业”活动",
                (
                    "本网讯（记者 沈晓燕 通讯员 李明）{md}，"
                    "由市经信局主办的“节能服务进企业”活动在平湖市举行。",
                    "活动现场，节能服务公司为企业提供免费能源审计和节能诊断服务，现场签约节能改造项目5个。",
                ),
            ),
            (
                "嘉兴市绿色工厂创建工作取得新进展",
                (
                    "近日，记者从市经信局获悉，今年以来我市深入推进绿色制造体系建设，全市累计创建国家级绿色工厂28家、省级绿色低碳工厂63家。",
                    "下一步，市经信局将继续加大培育力度，推动绿色制造水平再上新台阶。",
                ),
            ),
            (
                "局党组书记、局长赴海宁调研工业企业节能降碳工作",
                (
                    "{md}，局党组书记、局长一行赴海宁调研工业企业节能降碳工作，先后走访了多家重点用能企业。",
                    "调研中指出，要加快推进节能技术改造和清洁能源替代，以绿色低碳转型助推制造业高质量发展。",
                ),
            ),
            (
                "我市3家企业入选国家级绿色供应链管理企业名单",
                (
                    "近日，工业和信息化部公布了{year}年度绿色制造名单，我市3家企业入选国家级绿色供应链管理企业。",
                    "截至目前，我市已累计培育国家级绿色供应链管理企业9家，数量居全省前列。",
                ),
            ),
            (
                "全市工业领域碳达峰工作培训会召开",
                (
                    "{md}，全市工业领域碳达峰工作培训会在市行政中心召开，各县（市、区）经信部门和重点企业代表参加。",
                    "会上，省级专家对工业领域碳达峰实施方案和重点行业节能降碳改造政策进行了解读。",
                ),
            ),
            (
                "【政策解读】《嘉兴市工业领域碳达峰实施方案》解读",
                (
                    "一、制定背景",
                    "为深入贯彻落实国家和省关于碳达峰碳中和的决策部署，市经信局牵头起草了《嘉兴市工业领域碳达峰实施方案》。",
                    "二、主要内容",
                    "《方案》明确了重点任务，包括推动产业结构优化、推进节能降碳改造和加快绿色制造体系建设。",
                ),
            ),
            (
                "市经信局负责人就《嘉兴市绿色低碳工厂评价管理办法》答记者问",
                (
                    "问：出台《嘉兴市绿色低碳工厂评价管理办法》的背景是什么？",
                    "答：近年来，我市绿色制造体系建设成效明显，但评价标准不统一、动态管理不到位等问题仍然存在。",
                    "问：哪些企业可以申请评价？",
                    "答：在我市依法登记注册、具有独立法人资格的工业企业均可申请。",
                ),
            ),
        ),
    ),
)


def _notice(site: SiteSpec, path: str, section: str, title: str, **fields: object) -> SeedNotice:
    return SeedNotice(
        issue=ISSUE,
        section=section,
        title=title,
        source_url=f"{site.scheme}://{site.host}{path}",
        **fields,  # type: ignore[arg-type]
    )


_ZZ, _FS, _JX = UNSEEN_SITES

UNSEEN_NOTICES: tuple[SeedNotice, ...] = (
    _notice(
        _ZZ,
        "/c14906/20240520/i2093451.html",
        "申报通知",
        "关于组织申报2024年度株洲市制造业高质量发展专项资金项目的通知",
        doc_number="株工信发〔2024〕21号",
        addressee="各县市区工业和信息化局，株洲经开区、高新区经发局，各有关企业",
        paragraphs=(
            "为贯彻落实《株洲市推动制造业高质量发展若干政策》，现就组织申报2024年度制造业高质量发展专项资金项目有关事项通知如下：",
            "一、支持方向",
            "（一）企业技术改造项目。（二）智能制造示范项目。（三）产业链协同配套项目。",
            "二、申报条件",
            "申报单位应在我市依法登记注册、具有独立法人资格，财务管理制度健全，近三年无重大安全、环保事故。",
            "三、申报材料及时间",
            "请各县市区工业和信息化局组织企业填写申报书，于2024年6月30日前将申报材料纸质版一式两份报送至市工业和信息化局产业投资科。",
            "联系人：刘敏，电话：0731-28688123。",
        ),
        attachments=("2024年度株洲市制造业高质量发展专项资金项目申报书",),
        signers=("株洲市工业和信息化局",),
        date="2024-05-20",
        deadlines=("2024-06-30",),
    ),
    _notice(
        _ZZ,
        "/c14906/20240612/i2101877.html",
        "绿色制造",
        "关于开展2024年度工业企业节能监察工作的通知",
        doc_number="株工信节〔2024〕9号",
        addressee="各县市区工业和信息化局，各重点用能企业",
        paragraphs=(
            "根据《中华人民共和国节约能源法》《工业节能监察办法》和省工业和信息化厅年度节能监察任务安排，决定开展2024年度工业企业节能监察工作。现将有关事项通知如下：",
            "一、监察对象",
            "年综合能源消费量5000吨标准煤以上的重点用能企业，以及钢铁、水泥、平板玻璃等行业能效标杆对标企业。",
            "二、监察内容",
            "（一）单位产品能耗限额标准执行情况。（二）落后用能设备淘汰情况。（三）能源计量和统计制度落实情况。",
            "三、工作要求",
            "请各有关企业于2024年7月15日前完成自查，并将自查报告报送所在县市区工业和信息化局。",
        ),
        attachments=("2024年度工业节能监察企业名单",),
        signers=("株洲市工业和信息化局",),
        date="2024-06-12",
        deadlines=("2024-07-15",),
    ),
    _notice(
        _ZZ,
        "/c14906/20240703/i2110342.html",
        "政策文件",
        "株洲市工业和信息化局关于印发《株洲市工业企业技术改造项目管理办法》的通知",
        doc_number="株工信规〔2024〕2号",
        addressee="各县市区工业和信息化局，各有关单位",
        paragraphs=(
            "《株洲市工业企业技术改造项目管理办法》已经局党组会议审议通过，现印发给你们，请认真贯彻执行。",
            "本办法自2024年8月1日起施行，有效期五年。",
        ),
        attachments=("株洲市工业企业技术改造项目管理办法",),
        signers=("株洲市工业和信息化局",),
        date="2024-07-03",
    ),
    _notice(
        _ZZ,
        "/c14906/20240718/i2114096.html",
        "政策文件",
        "关于调整市级工业园区管理职责分工的通知",
        doc_number="株工信联〔2024〕4号",
        addressee="各县市区人民政府，市直有关单位",
        paragraphs=(
            "经市人民政府同意，现将市级工业园区管理职责分工调整如下：",
            "一、市工业和信息化局负责园区产业发展规划、项目准入评估和运行监测。",
            "二、市发展和改革委员会负责园区重大项目统筹和基础设施建设计划。",
            "三、市财政局负责园区发展资金的预算安排和绩效管理。",
            "本通知自印发之日起执行，此前有关规定与本通知不一致的，以本通知为准。",
        ),
        signers=("株洲市工业和信息化局", "株洲市发展和改革委员会", "株洲市财政局"),
        date="2024-07-18",
    ),
    _notice(
        _FS,
        "/gkmlpt/content/5/5812/post_5812345.html",
        "绿色制造",
        "佛山市工业和信息化局关于组织开展2024年佛山市绿色工厂申报工作的通知",
        doc_number="佛工信函〔2024〕118号",
        addressee="各区工业和信息化局（经济和科技促进局）",
        paragraphs=(
            "为贯彻落实工业领域碳达峰工作部署，加快构建绿色制造体系，现组织开展2024年佛山市绿色工厂申报工作，有关事项通知如下：",
            "一、申报条件",
            "申报企业应为在我市依法设立的工业企业，近三年未发生较大及以上安全、环境事故，并达到《绿色工厂评价通则》要求。",
            "二、申报程序",
            "企业委托第三方机构开展评价，形成评价报告后向所在区工业和信息化部门提出申请，各区于2024年8月20日前汇总报送我局。",
        ),
        attachments=("佛山市绿色工厂申报书", "绿色工厂自评价报告模板"),
        signers=("佛山市工业和信息化局",),
        date="2024-07-22",
        deadlines=("2024-08-20",),
    ),
    _notice(
        _FS,
        "/gkmlpt/content/5/5820/post_5820711.html",
        "申报通知",
        "佛山市工业和信息化局关于征集2024年工业互联网标杆示范项目的通知",
        doc_number="佛工信函〔2024〕131号",
        addressee="各区工业和信息化局（经济和科技促进局），各有关企业",
        paragraphs=(
            "为加快推动制造业数字化转型，发挥标杆示范引领作用，现面向全市征集2024年工业互联网标杆示范项目。",
            "一、征集方向：工厂类标杆、园区类标杆、平台类标杆。",
            "二、报送要求：请项目单位登录佛山市工业和信息化局网上办事系统填报项目信息，并于2024年9月10日前将纸质材料报送所在区工业和信息化部门。",
        ),
        attachments=("2024年工业互联网标杆示范项目申报表",),
        signers=("佛山市工业和信息化局",),
        date="2024-08-05",
        deadlines=("2024-09-10",),
    ),
    _notice(
        _FS,
        "/gkmlpt/content/5/5826/post_5826032.html",
        "政策文件",
        "佛山市人民政府办公室关于印发佛山市推动制造业数字化智能化转型若干措施的通知",
        doc_number="佛府办〔2024〕15号",
        addressee="各区人民政府，市政府各部门、直属各机构",
        paragraphs=(
            "《佛山市推动制造业数字化智能化转型若干措施》业经市人民政府同意，现印发给你们，请认真组织实施。实施过程中遇到的问题，请径向市工业和信息化局反映。",
        ),
        attachments=("佛山市推动制造业数字化智能化转型若干措施",),
        signers=("佛山市人民政府办公室",),
        date="2024-08-16",
    ),
    _notice(
        _FS,
        "/gkmlpt/content/5/5831/post_5831490.html",
        "绿色制造",
        "关于佛山市2024年第一批清洁生产审核验收结果的公示",
        paragraphs=(
            "根据《清洁生产审核办法》和《广东省清洁生产审核验收工作程序》，经企业申请、专家现场评估，拟同意以下企业通过清洁生产审核验收，现予以公示。",
            "公示期为2024年8月26日至9月1日。公示期间，如有异议，请以书面形式向我局反映。",
        ),
        attachments=("佛山市2024年第一批通过清洁生产审核验收企业名单",),
        signers=("佛山市工业和信息化局",),
        date="2024-08-26",
    ),
    _notice(
        _FS,
        "/gkmlpt/content/5/5840/post_5840217.html",
        "申报通知",
        "关于2024年佛山市专精特新中小企业拟认定名单的公示",
        paragraphs=(
            "根据《佛山市专精特新中小企业认定管理办法》，经企业自愿申报、区级推荐和专家评审，现将2024年佛山市专精特新中小企业拟认定名单予以公示。",
            "公示时间：2024年9月3日至9月9日。对公示名单有异议的，请在公示期内以书面形式实名反映。",
        ),
        attachments=("2024年佛山市专精特新中小企业拟认定名单",),
        signers=("佛山市工业和信息化局",),
        date="2024-09-03",
    ),
    _notice(
        _JX,
        "/xwdt/gzdt/202405/t20240508_987012.html",
        "绿色制造",
        "嘉兴市经济和信息化局关于开展2024年度市级绿色低碳工厂评价工作的通知",
        doc_number="嘉经信〔2024〕35号",
        addressee="各县（市、区）经信局，嘉兴经济技术开发区经济发展局",
        paragraphs=(
            "为加快推进工业绿色低碳转型，根据《嘉兴市绿色低碳工厂评价管理办法》，现开展2024年度市级绿色低碳工厂评价工作，有关事项通知如下：",
            "一、评价对象：在我市依法登记、从事工业生产的企业。",
            "二、工作程序：企业自评价、第三方机构评价、县（市、区）推荐、市级评审。",
            "三、时间安排：请各地于2024年6月15日前将推荐材料报送市经信局节能与综合利用处。",
        ),
        attachments=("嘉兴市绿色低碳工厂评价申请表",),
        signers=("嘉兴市经济和信息化局",),
        date="2024-05-08",
        deadlines=("2024-06-15",),
    ),
    _notice(
        _JX,
        "/xwdt/gzdt/202405/t20240521_987345.html",
        "申报通知",
        "关于组织开展2024年度嘉兴市企业技术中心认定工作的通知",
        doc_number="嘉经信〔2024〕41号",
        addressee="各县（市、区）经信局，嘉兴经济技术开发区经济发展局",
        paragraphs=(
            "为进一步完善以企业为主体的技术创新体系，根据《嘉兴市企业技术中心认定管理办法》，现组织开展2024年度市级企业技术中心认定工作。",
            "请符合条件的企业登录浙江省企业技术中心管理系统填报材料，各县（市、区）经信局审核后于2024年7月5日前行文推荐。",
        ),
        attachments=("嘉兴市企业技术中心申请报告编写提纲",),
        signers=("嘉兴市经济和信息化局",),
        date="2024-05-21",
        deadlines=("2024-07-05",),
    ),
    _notice(
        _JX,
        "/xwdt/gzdt/202406/t20240611_988120.html",
        "政策文件",
        "嘉兴市经济和信息化局 嘉兴市财政局关于印发《嘉兴市工业和信息化专项资金管理办法》的通知",
        doc_number="嘉经信〔2024〕52号",
        addressee="各县（市、区）经信局、财政局",
        paragraphs=(
            "为规范和加强市级工业和信息化专项资金管理，提高资金使用效益，我们制定了《嘉兴市工业和信息化专项资金管理办法》，现印发给你们，请遵照执行。",
        ),
        attachments=("嘉兴市工业和信息化专项资金管理办法",),
        signers=("嘉兴市经济和信息化局", "嘉兴市财政局"),
        date="2024-06-11",
    ),
)
