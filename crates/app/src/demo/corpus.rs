//! Text corpus for `kefu demo`: ticket subjects and bodies, replies, notes, names and products in Chinese and English.
//! Everything is chosen from static tables with a caller-supplied `fastrand::Rng`, so output is deterministic and cheap to generate.
use fastrand::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

// ---------------------------------------------------------------------------
// Table plumbing
// ---------------------------------------------------------------------------

/// A pair of string tables, one per language.
struct Texts {
    zh: &'static [&'static str],
    en: &'static [&'static str],
}

impl Texts {
    fn get(&self, lang: Lang) -> &'static [&'static str] {
        match lang {
            Lang::Zh => self.zh,
            Lang::En => self.en,
        }
    }
}

#[inline]
fn pick(rng: &mut Rng, xs: &'static [&'static str]) -> &'static str {
    xs[rng.usize(..xs.len())]
}

/// An index into a table of `len` entries different from `other` (`len` must be at least 2).
#[inline]
fn other_index(rng: &mut Rng, len: usize, other: usize) -> usize {
    let j = rng.usize(..len - 1);
    if j >= other { j + 1 } else { j }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Consultation,
    Complaint,
    Suggestion,
    AfterSales,
    FieldService,
}

impl Kind {
    fn parse(kind: &str) -> Kind {
        match kind {
            "complaint" => Kind::Complaint,
            "suggestion" => Kind::Suggestion,
            "after_sales" => Kind::AfterSales,
            "field_service" => Kind::FieldService,
            _ => Kind::Consultation,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Kind::Consultation => "consultation",
            Kind::Complaint => "complaint",
            Kind::Suggestion => "suggestion",
            Kind::AfterSales => "after_sales",
            Kind::FieldService => "field_service",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Equipment,
    Device,
    Software,
    Unknown,
}

// ---------------------------------------------------------------------------
// Products
// ---------------------------------------------------------------------------

struct Product {
    zh: &'static str,
    en: &'static str,
    class: Class,
}

const fn prod(zh: &'static str, en: &'static str, class: Class) -> Product {
    Product { zh, en, class }
}

static PRODUCTS: [Product; 16] = [
    prod("X200 挖掘机", "X200 excavator", Class::Equipment),
    prod("X350 挖掘机", "X350 excavator", Class::Equipment),
    prod("L50 装载机", "L50 wheel loader", Class::Equipment),
    prod("QY25 汽车起重机", "QY25 truck crane", Class::Equipment),
    prod("G150 柴油发电机组", "G150 diesel generator", Class::Equipment),
    prod("R20 压路机", "R20 road roller", Class::Equipment),
    prod("智能手表 S3", "Smartwatch S3", Class::Device),
    prod("蓝牙音箱 SoundBox 2", "SoundBox 2 speaker", Class::Device),
    prod("扫地机器人 R7", "R7 robot vacuum", Class::Device),
    prod("平板电脑 T10", "T10 tablet", Class::Device),
    prod("智能门锁 L2", "L2 smart lock", Class::Device),
    prod("变频空调 KF-35", "KF-35 air conditioner", Class::Device),
    prod("Kefu Cloud 专业版", "Kefu Cloud Professional", Class::Software),
    prod("Kefu Cloud 企业版", "Kefu Cloud Enterprise", Class::Software),
    prod("智慧工地管理平台", "SmartSite Manager", Class::Software),
    prod("车队管理 SaaS 基础版", "Fleet Manager SaaS Basic", Class::Software),
];

fn product_class(product: &str) -> Class {
    PRODUCTS
        .iter()
        .find(|p| p.zh == product || p.en == product)
        .map_or(Class::Unknown, |p| p.class)
}

/// Faults by product class. Chinese ones read naturally right after the product name ("X200 挖掘机液压系统漏油");
/// English ones are noun phrases used mid-sentence ("a hydraulic oil leak").
static FAULT_EQUIPMENT: Texts = Texts {
    zh: &[
        "液压系统漏油",
        "发动机启动困难",
        "运转时有异响",
        "仪表盘一直报 E12 故障码",
        "冒黑烟、动力不足",
        "水温过高报警",
        "驾驶室空调不制冷",
        "液压油温度过高",
        "作业时突然熄火",
        "油耗明显偏高",
    ],
    en: &[
        "a hydraulic oil leak",
        "hard starting",
        "a knocking noise while running",
        "an E12 fault code on the display",
        "black smoke and loss of power",
        "an engine overheating alarm",
        "the cab A/C not cooling",
        "high hydraulic oil temperature",
        "the engine cutting out under load",
        "unusually high fuel consumption",
    ],
};

static FAULT_DEVICE: Texts = Texts {
    zh: &[
        "充不进电",
        "开不了机",
        "经常自动重启",
        "连不上 Wi-Fi",
        "蓝牙连不上手机",
        "续航明显变短",
        "屏幕突然不亮了",
        "用着用着就死机",
        "发出异常噪音",
        "App 里一直显示设备离线",
    ],
    en: &[
        "the battery not charging",
        "it not turning on",
        "random restarts",
        "Wi-Fi dropping out",
        "Bluetooth not pairing with my phone",
        "the battery draining within hours",
        "the screen going black",
        "frequent freezes",
        "a strange buzzing noise",
        "the device showing offline in the app",
    ],
};

static FAULT_SOFTWARE: Texts = Texts {
    zh: &[
        "登录后一直转圈",
        "报表导出失败",
        "数据同步延迟严重",
        "收不到消息推送",
        "页面经常报 502 错误",
        "接口调用超时",
        "打开工单列表特别慢",
        "导入数据时报错",
    ],
    en: &[
        "an endless loading spinner after login",
        "report exports failing",
        "severe data sync delays",
        "missing push notifications",
        "frequent 502 errors",
        "API requests timing out",
        "the ticket list loading very slowly",
        "errors when importing data",
    ],
};

static FAULT_UNKNOWN: Texts = Texts {
    zh: &["经常出故障", "工作不稳定", "时好时坏"],
    en: &["recurring faults", "intermittent faults", "unstable operation"],
};

fn faults(class: Class) -> &'static Texts {
    match class {
        Class::Equipment => &FAULT_EQUIPMENT,
        Class::Device => &FAULT_DEVICE,
        Class::Software => &FAULT_SOFTWARE,
        Class::Unknown => &FAULT_UNKNOWN,
    }
}

// ---------------------------------------------------------------------------
// Template rendering
// ---------------------------------------------------------------------------
//
// Templates are static strings with three-byte placeholders:
//   {P} product   {F} fault (fixed per ticket)   {O} order number (fixed per ticket)
//   {S} serial number (fixed per ticket)   {N} a digit 2-9 (fixed per ticket)   {T} a deadline   {E} an engineer

static DEADLINES: Texts = Texts {
    zh: &[
        "今天下午 5 点",
        "今天 18:00",
        "明天上午 10 点",
        "明天中午 12 点",
        "本周五下班",
        "周三上午 9 点",
    ],
    en: &[
        "5 pm today",
        "6 pm today",
        "10 am tomorrow",
        "noon tomorrow",
        "the end of Friday",
        "9 am on Wednesday",
    ],
};

struct Ctx<'a> {
    rng: &'a mut Rng,
    lang: Lang,
    product: &'a str,
    class: Class,
    fault: Option<&'static str>,
    order: Option<u64>,
    serial: Option<u64>,
    digit: Option<u8>,
}

impl<'a> Ctx<'a> {
    fn new(rng: &'a mut Rng, lang: Lang, product: &'a str) -> Self {
        let class = if product.is_empty() {
            Class::Unknown
        } else {
            product_class(product)
        };
        Ctx {
            rng,
            lang,
            product,
            class,
            fault: None,
            order: None,
            serial: None,
            digit: None,
        }
    }

    /// Renders one template onto `out`.
    fn render(&mut self, out: &mut String, tpl: &str) {
        let mut rest = tpl;
        while let Some(i) = rest.find('{') {
            let b = rest.as_bytes();
            if i + 2 >= b.len() || b[i + 2] != b'}' {
                self.push_seg(out, &rest[..=i]);
                rest = &rest[i + 1..];
                continue;
            }
            self.push_seg(out, &rest[..i]);
            match b[i + 1] {
                b'P' => {
                    let p = self.product;
                    self.push_seg(out, p);
                }
                b'F' => {
                    let f = match self.fault {
                        Some(f) => f,
                        None => {
                            let f = pick(self.rng, faults(self.class).get(self.lang));
                            self.fault = Some(f);
                            f
                        }
                    };
                    self.push_seg(out, f);
                }
                b'O' => {
                    let x = *self.order.get_or_insert_with(|| self.rng.u64(..));
                    self.join(out, 'D');
                    push_order(out, x);
                }
                b'S' => {
                    let x = *self.serial.get_or_insert_with(|| self.rng.u64(..));
                    self.join(out, 'S');
                    out.push_str("SN");
                    push_padded(out, x % 10_000_000_000, 10);
                }
                b'N' => {
                    let d = *self.digit.get_or_insert_with(|| self.rng.u8(2..10));
                    let c = char::from(b'0' + d);
                    self.join(out, c);
                    out.push(c);
                }
                b'T' => {
                    let t = pick(self.rng, DEADLINES.get(self.lang));
                    self.push_seg(out, t);
                }
                b'E' => match self.lang {
                    Lang::Zh => {
                        let s = ZH_SURNAMES[self.rng.usize(..30)];
                        self.push_seg(out, s);
                        out.push_str("师傅");
                    }
                    Lang::En => {
                        out.push_str(pick(self.rng, EN_FIRST));
                        out.push(' ');
                        out.push_str(pick(self.rng, EN_LAST));
                    }
                },
                _ => self.push_seg(out, &rest[i..i + 3]),
            }
            rest = &rest[i + 3..];
        }
        self.push_seg(out, rest);
    }

    #[inline]
    fn push_seg(&self, out: &mut String, s: &str) {
        if let Some(c) = s.chars().next() {
            self.join(out, c);
            out.push_str(s);
        }
    }

    /// In Chinese text, separates Latin letters/digits from Han characters with a space at segment boundaries
    /// ("智能手表 S3 屏幕", "已经 5 天了"), the way product names and order numbers are usually written.
    #[inline]
    fn join(&self, out: &mut String, next: char) {
        if self.lang == Lang::Zh
            && let Some(last) = out.chars().next_back()
            && ((last.is_ascii_alphanumeric() && is_han(next)) || (is_han(last) && next.is_ascii_alphanumeric()))
        {
            out.push(' ');
        }
    }

    /// Starts a new sentence: English sentences are separated by a space, Chinese ones are not.
    #[inline]
    fn sentence(&mut self, out: &mut String, tpl: &str) {
        if self.lang == Lang::En && !out.is_empty() {
            out.push(' ');
        }
        self.render(out, tpl);
    }
}

#[inline]
fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Pushes `n` as exactly `width` decimal digits (zero-padded, truncated to the low digits).
fn push_padded(out: &mut String, mut n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let width = width.min(20);
    for slot in buf[..width].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
    for &d in &buf[..width] {
        out.push(char::from(d));
    }
}

/// An order number like `DD202611030482`: prefix, a date in 2025-2026, four digits.
fn push_order(out: &mut String, x: u64) {
    out.push_str("DD");
    push_padded(out, 2025 + (x & 1), 4);
    push_padded(out, 1 + (x >> 1) % 12, 2);
    push_padded(out, 1 + (x >> 8) % 28, 2);
    push_padded(out, (x >> 16) % 10_000, 4);
}

// ---------------------------------------------------------------------------
// Ticket categories
// ---------------------------------------------------------------------------

struct Leaf {
    code: &'static str,
    kind: Kind,
    /// Whether a "we own this product" opener fits before the details.
    ctx: bool,
    /// Subjects and details are different questions: detail `k` belongs to subject `k`, and only one detail is used.
    paired: bool,
    subjects: Texts,
    details: Texts,
}

static LEAVES: [Leaf; 34] = [
    // ---- complaint.skill -------------------------------------------------
    Leaf {
        code: "complaint.skill.repeated_repair",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "{P}{F}，第三次报修了还没修好",
                "同一个问题修了好几次，{P}还是{F}",
                "{P}反复维修，修完没几天又坏",
                "投诉：{P}{F}屡修屡坏",
            ],
            en: &[
                "{P}: {F}, still not fixed after the third repair",
                "Same fault keeps coming back on my {P}",
                "Repeated repairs on the {P} have not fixed the problem",
                "Complaint: third repair visit for {F} on {P}",
            ],
        },
        details: Texts {
            zh: &[
                "{F}的问题前后报修了三次，每次工程师来换个零件就走，用不了几天又是老样子。",
                "上个月刚修过一次，当时说是密封件老化，换完不到一周问题又出现了。",
                "每次维修都说修好了，可问题根本没解决，已经严重影响我们正常使用。",
            ],
            en: &[
                "We have reported {F} three times now. Each time the engineer swaps a part and leaves, and within days it is back.",
                "It was repaired last month and we were told a seal was worn. Less than a week later the problem returned.",
                "Every visit ends with 'it is fixed', but the fault never actually goes away.",
            ],
        },
    },
    Leaf {
        code: "complaint.skill.slow_diagnosis",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "{P}故障查了一个星期还没找到原因",
                "工程师排查太慢，{P}{F}的原因到现在还没找到",
                "{P}停了好几天，故障原因一直说不清楚",
            ],
            en: &[
                "{P}: a week of troubleshooting and still no diagnosis",
                "Engineer still cannot find the cause of {F} on {P}",
                "Slow fault diagnosis on my {P}",
            ],
        },
        details: Texts {
            zh: &[
                "工程师来了两趟，这里测测那里测测，到现在也说不出是哪里的问题。",
                "每次问进度都说还在排查，要等厂家技术支持回复，一拖就是好几天。",
                "{F}这种常见问题，按理说有经验的师傅很快就能判断出来。",
            ],
            en: &[
                "The engineer has been out twice, ran tests here and there, and still cannot say what is wrong.",
                "Every time we ask for an update we hear it is 'still under investigation' and waiting on the factory.",
                "This is a fairly common fault; an experienced technician should be able to pin it down quickly.",
            ],
        },
    },
    Leaf {
        code: "complaint.skill.long_repair",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "{P}送修半个月了还没修好",
                "维修周期太长，{P}已经停工{N}天",
                "{P}修了这么久，到底什么时候能修好？",
            ],
            en: &[
                "{P} has been in repair for over two weeks",
                "Repair taking far too long: {P} down for {N} days",
                "When will my {P} finally be repaired?",
            ],
        },
        details: Texts {
            zh: &[
                "从报修到现在已经{N}天了，一直说在修，具体什么时候能好谁也说不清。",
                "当初说三天就能修好，现在都快两个星期了。",
                "停一天我们就损失一天的产值，项目那边天天在催。",
            ],
            en: &[
                "It has been {N} days since we reported it, and nobody can tell us when it will be done.",
                "We were told three days at most. It is now almost two weeks.",
                "Every day it is out of action costs us money, and the project manager is chasing me daily.",
            ],
        },
    },
    // ---- complaint.attitude ----------------------------------------------
    Leaf {
        code: "complaint.attitude.unwilling",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "客服推来推去，问题没人管",
                "{P}出了问题，售后一直推脱不愿处理",
                "投诉售后人员推诿责任",
            ],
            en: &[
                "Support keeps passing my {P} issue around",
                "After-sales refuses to take responsibility for the {P} fault",
                "Nobody is willing to handle my complaint",
            ],
        },
        details: Texts {
            zh: &[
                "打电话给售后，对方说这不归他们管，让我去找经销商，经销商又让我找厂家。",
                "工程师来看了一眼就说是我们操作不当，不在保修范围，连检测都不做。",
                "问题说了好几遍，每次换个人接电话都要从头再讲一遍。",
            ],
            en: &[
                "After-sales told me it is not their department and sent me to the dealer, who sent me straight back to you.",
                "The engineer took one look and said it was operator error and not covered, without running any checks.",
                "Every time I call, someone new answers and I have to explain everything from the beginning.",
            ],
        },
    },
    Leaf {
        code: "complaint.attitude.no_visit",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "报修好几天了，一直没人上门",
                "{P}坏了，说好的上门服务迟迟不来",
                "售后只在电话里指导，就是不肯派人来",
            ],
            en: &[
                "Reported a fault days ago and nobody has come out",
                "Promised on-site visit for my {P} never happened",
                "Support will only troubleshoot by phone and refuses to send anyone",
            ],
        },
        details: Texts {
            zh: &[
                "报修电话打了三次，每次都说会安排工程师，可到现在一个人影都没见到。",
                "客服只让我们自己拍视频发过去，远程指导了半天也没解决。",
                "我们在郊区，感觉是嫌远不愿意过来。",
            ],
            en: &[
                "I have called three times and was told an engineer would be assigned. Nobody has shown up.",
                "They keep asking us to film the problem and send videos, but remote guidance has not fixed anything.",
                "We are a bit outside the city, and it feels like nobody wants to make the trip.",
            ],
        },
    },
    Leaf {
        code: "complaint.attitude.passive",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "售后处理问题敷衍了事",
                "{P}的问题反映了很久，一直被敷衍",
                "工程师态度消极，应付了事",
            ],
            en: &[
                "After-sales is just going through the motions",
                "My {P} complaint keeps getting brushed off",
                "Engineer showed no interest in actually fixing the problem",
            ],
        },
        details: Texts {
            zh: &[
                "每次反馈都是一句“已记录，会尽快处理”，然后就没下文了。",
                "工程师来了也不怎么检查，拍了几张照片说回去研究一下，再也没消息。",
                "问什么都说不清楚，感觉根本没把我们的问题当回事。",
            ],
            en: &[
                "Every report gets the same reply, 'noted, we will handle it soon', and then nothing happens.",
                "The engineer barely looked at it, took a few photos, said he would look into it, and we never heard back.",
                "Nobody can give a straight answer, and it feels like our problem is simply not a priority.",
            ],
        },
    },
    Leaf {
        code: "complaint.attitude.slow",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "客服响应太慢，留言两天没人回",
                "{P}报修后迟迟没有回应",
                "热线一直打不通，在线客服也不回复",
            ],
            en: &[
                "No response for two days after reporting the {P} fault",
                "Support response times are far too slow",
                "Cannot get through on the hotline and chat goes unanswered",
            ],
        },
        details: Texts {
            zh: &[
                "周一提交的工单，到现在还是“待处理”状态。",
                "400 热线排队半小时，转人工以后又被挂断了。",
                "在线客服发消息过去，过了大半天才回一句“请稍等”。",
            ],
            en: &[
                "I submitted a ticket on Monday and it still says 'pending'.",
                "I waited on hold for half an hour, and the call dropped as soon as I reached an agent.",
                "The chat agent took half a day to reply, and all they said was 'please wait'.",
            ],
        },
    },
    Leaf {
        code: "complaint.attitude.pushing_sales",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "报修变推销，工程师一直让我们买新设备",
                "修{P}的时候被强行推销配件",
                "投诉售后人员借维修推销产品",
            ],
            en: &[
                "Engineer spent the repair visit trying to sell us a new machine",
                "Pushed to buy add-ons while getting my {P} fixed",
                "Complaint: a sales pitch instead of a repair",
            ],
        },
        details: Texts {
            zh: &[
                "工程师来了没怎么修，一直在说老型号不行了，建议换台新的。",
                "客服让我们先买延保套餐，说不买的话维修要排到下个月。",
                "明明换个小零件就能解决，非要我们把整个总成换掉。",
            ],
            en: &[
                "The engineer hardly worked on it and spent most of the visit telling us to upgrade to a newer model.",
                "The agent said repairs would wait until next month unless we bought an extended warranty package.",
                "It only needed a small part, but they insisted we replace the whole assembly.",
            ],
        },
    },
    Leaf {
        code: "complaint.attitude.promise_not_kept",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "工程师说好今天下午上门，到现在还没来",
                "答应的回电一直没打，{P}的问题没人跟进",
                "说好三天内寄配件，一周了还没收到",
            ],
            en: &[
                "Engineer promised to come this afternoon and never showed up",
                "Promised call-back about my {P} never came",
                "Parts were promised within three days, still nothing after a week",
            ],
        },
        details: Texts {
            zh: &[
                "上次电话里明确答应今天给答复，结果一整天都没人联系我们。",
                "为了等工程师，我们专门留了人在现场，白白等了一下午。",
                "客服主管当时保证会跟进到底，现在电话都不接了。",
            ],
            en: &[
                "We were told clearly on the phone that we would hear back today. Nobody called.",
                "We kept someone on site all afternoon waiting for the engineer, for nothing.",
                "The supervisor promised to see this through personally and now does not answer the phone.",
            ],
        },
    },
    // ---- complaint.timeliness --------------------------------------------
    Leaf {
        code: "complaint.timeliness.late_arrival",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &["工程师迟到了三个小时", "预约上午上门，下午才到", "{P}维修上门不准时"],
            en: &[
                "Engineer arrived three hours late",
                "Morning appointment, engineer showed up in the afternoon",
                "Late arrival for the {P} service visit",
            ],
        },
        details: Texts {
            zh: &[
                "约好上午九点到，我们一早就停机等着，结果十二点多才到。",
                "迟到也没提前打个电话说一声，打过去才说在路上。",
                "这已经是第二次迟到了，耽误了我们整个上午的工期。",
            ],
            en: &[
                "The visit was booked for 9 am. We stopped work to wait and he arrived after noon.",
                "Nobody called ahead to say they were running late; when I rang, they said he was on the way.",
                "This is the second late arrival, and it cost us a whole morning of work.",
            ],
        },
    },
    Leaf {
        code: "complaint.timeliness.understaffed",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "售后人手不够，报修排了一周队",
                "服务站只有一个工程师，根本忙不过来",
                "{P}报修后说没人手，要等下周",
            ],
            en: &[
                "Service team too understaffed, waited a week for a visit",
                "Only one engineer for the whole region",
                "Told there is nobody available to fix my {P} until next week",
            ],
        },
        details: Texts {
            zh: &[
                "客服说我们这片只有两个工程师，前面还排着十几单。",
                "旺季设备多，售后人员明显不够，每次都要等很久。",
                "我们理解你们忙，但总不能让设备一直停着吧。",
            ],
            en: &[
                "The agent said only two engineers cover our area and there are over a dozen jobs ahead of us.",
                "In the busy season there are clearly not enough service staff, and every request takes ages.",
                "We understand you are busy, but the machine cannot just sit idle.",
            ],
        },
    },
    Leaf {
        code: "complaint.timeliness.far_site",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "工地偏远，工程师过来要一天",
                "服务网点太远，{P}维修响应慢",
                "偏远地区的售后服务没有保障",
            ],
            en: &[
                "Remote site, the engineer takes a full day to reach us",
                "Nearest service point is too far for {P} repairs",
                "No reliable after-sales coverage in remote areas",
            ],
        },
        details: Texts {
            zh: &[
                "我们工地在山里，离最近的服务站有三百多公里。",
                "每次报修工程师都要第二天才能到，来回路上就要大半天。",
                "买设备的时候说全国联保，现在出了问题却说我们太远了。",
            ],
            en: &[
                "Our site is in the mountains, more than 300 km from the nearest service centre.",
                "Every call-out means waiting until the next day because the drive alone takes half a day.",
                "When we bought it we were promised nationwide service. Now we hear we are too far away.",
            ],
        },
    },
    Leaf {
        code: "complaint.timeliness.not_notified",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "维修进度一直没人通知",
                "改了上门时间也不提前说一声",
                "{P}维修情况不告知，只能自己打电话问",
            ],
            en: &[
                "Nobody keeps me updated on the repair",
                "Visit rescheduled without any notice",
                "No progress updates on my {P} repair",
            ],
        },
        details: Texts {
            zh: &[
                "上门时间改了也没人通知，我们在现场白等了半天。",
                "送修以后就没消息了，每次都是我们打电话去问才知道进度。",
                "配件到了没说，修好了也没说，还是我自己跑到服务站才知道的。",
            ],
            en: &[
                "The appointment was moved and nobody told us, so we waited on site for half a day.",
                "Since we sent it in, the only updates we get are the ones we chase ourselves.",
                "Nobody said the part had arrived or that the repair was done; I found out by going to the service centre.",
            ],
        },
    },
    Leaf {
        code: "complaint.timeliness.engineer_busy",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "工程师总说在忙别的单子，一直排不上",
                "{P}报修后工程师说太忙过不来",
                "指定的工程师一直没空，能不能换人",
            ],
            en: &[
                "Engineer always busy with other jobs, my repair keeps slipping",
                "Told the engineer is too busy to look at my {P}",
                "Assigned engineer never available, please send someone else",
            ],
        },
        details: Texts {
            zh: &[
                "每次打电话工程师都说在别的工地，让我们再等等。",
                "已经约了两次都被临时取消，说是有更急的单子。",
                "如果这个工程师忙不过来，麻烦安排其他人。",
            ],
            en: &[
                "Whenever I call, the engineer is at another site and asks us to wait a bit longer.",
                "Two appointments have been cancelled at the last minute because of more urgent jobs.",
                "If this engineer is overloaded, please send someone else.",
            ],
        },
    },
    // ---- complaint.parts -------------------------------------------------
    Leaf {
        code: "complaint.parts.slow_supply",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &["配件迟迟不到，{P}一直没法修", "等配件等了半个月", "配件供应太慢，设备停工"],
            en: &[
                "Waiting weeks for parts to repair my {P}",
                "Spare part still not delivered after two weeks",
                "Slow parts supply has stopped our work",
            ],
        },
        details: Texts {
            zh: &[
                "工程师{N}天前就确认了要换的配件，到现在还没到货。",
                "问了几次都说已经在调货了，但没有一个准确的到货时间。",
                "一个小小的传感器要等这么久，实在说不过去。",
            ],
            en: &[
                "The engineer confirmed the part {N} days ago and it still has not arrived.",
                "Each time we ask, we are told it is being sourced, but nobody gives an actual delivery date.",
                "Waiting this long for a small sensor is hard to accept.",
            ],
        },
    },
    Leaf {
        code: "complaint.parts.far_warehouse",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "配件要从总部仓库调，太慢了",
                "本地没有备件库，{P}维修要等外地发货",
                "备件仓库太远，影响维修进度",
            ],
            en: &[
                "Parts have to come from the central warehouse, far too slow",
                "No local spare parts stock for the {P}",
                "Distant parts warehouse is delaying repairs",
            ],
        },
        details: Texts {
            zh: &[
                "服务站说本地仓库没有，要从总部仓库调，光路上就要好几天。",
                "这么常用的配件，省里的仓库都不备货吗？",
                "建议在我们这边设个备件点，不然每次都要等。",
            ],
            en: &[
                "The service centre says the local warehouse does not stock it, so it must come from head office.",
                "This is a common part. Does the regional warehouse really not keep any?",
                "Please consider keeping spares closer to us; otherwise every repair means waiting.",
            ],
        },
    },
    Leaf {
        code: "complaint.parts.long_shipping",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &["配件物流太慢，发货一周还没到", "{P}的配件快递一直在路上", "配件运输时间太长"],
            en: &[
                "Spare part shipped a week ago and still in transit",
                "Courier delay on parts for my {P}",
                "Parts shipping takes far too long",
            ],
        },
        details: Texts {
            zh: &[
                "说是上周就发货了，物流信息到现在还停在中转站。",
                "配件走的是普通物流，能不能改成加急？",
                "查了快递单号，显示三天没更新了。",
            ],
            en: &[
                "We were told it shipped last week, but tracking has been stuck at a sorting hub since.",
                "The part went by standard freight. Can it be upgraded to express?",
                "The tracking number has not updated in three days.",
            ],
        },
    },
    Leaf {
        code: "complaint.parts.out_of_stock",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &["配件缺货，{P}没法修", "说配件全国缺货，要等一个月", "{P}的配件一直断货"],
            en: &[
                "Part out of stock, my {P} cannot be repaired",
                "Told the part is out of stock nationwide for a month",
                "Parts for the {P} constantly unavailable",
            ],
        },
        details: Texts {
            zh: &[
                "工程师说这个型号的配件全国都缺货，什么时候有货不确定。",
                "设备才买了一年多，配件就断货了，以后还怎么用？",
                "能不能先找个替代件，或者借一台备用机给我们？",
            ],
            en: &[
                "The engineer says this part is out of stock everywhere and there is no restock date.",
                "It is barely a year old and parts are already unavailable. What happens next time?",
                "Could you find a compatible substitute or lend us a replacement unit in the meantime?",
            ],
        },
    },
    Leaf {
        code: "complaint.parts.wrong_part",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &["寄来的配件型号不对", "配件发错了，{P}又白等了几天", "第二次发错配件了"],
            en: &[
                "Wrong spare part delivered",
                "Sent the wrong part for my {P}, lost more days",
                "Incorrect part shipped for the second time",
            ],
        },
        details: Texts {
            zh: &[
                "工程师拆开才发现寄来的配件型号对不上，只能重新订。",
                "报修时已经把设备序列号 {S} 发给你们了，怎么还会发错？",
                "来回一折腾又多等了一个星期。",
            ],
            en: &[
                "The engineer opened the box on site and found the part did not match; it has to be reordered.",
                "We gave you the serial number {S} when we reported it. How did the wrong part get sent?",
                "Sorting this out has cost us another week.",
            ],
        },
    },
    // ---- complaint.overall -----------------------------------------------
    Leaf {
        code: "complaint.overall.image",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "对贵公司的售后服务非常失望",
                "买{P}是冲着品牌来的，服务太让人寒心",
                "整体服务体验很差",
            ],
            en: &[
                "Very disappointed with your after-sales service",
                "Bought the {P} for the brand, the service has been a letdown",
                "Overall service experience has been poor",
            ],
        },
        details: Texts {
            zh: &[
                "我们和贵司合作好几年了，这次的服务真的让人失望。",
                "身边好几个同行都在问我们用得怎么样，现在真不好意思推荐。",
                "产品本身还可以，但售后跟不上，品牌口碑都被拖累了。",
            ],
            en: &[
                "We have worked with you for years, and this experience has been genuinely disappointing.",
                "Others in our trade ask us what we think of you, and right now I could not recommend you.",
                "The product itself is fine, but the after-sales service is dragging your reputation down.",
            ],
        },
    },
    Leaf {
        code: "complaint.overall.cumbersome_process",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &["报修流程太繁琐", "办个退换货要填一堆表格", "{P}保修申请手续太麻烦"],
            en: &[
                "Repair request process is far too complicated",
                "Endless forms just to get a replacement",
                "Warranty claim for my {P} is a bureaucratic nightmare",
            ],
        },
        details: Texts {
            zh: &[
                "报修要先拍照、填表、等审核，审核完还要再打电话确认一遍。",
                "发票、合同、设备照片都交过了，又让补交一份情况说明。",
                "同样的信息在电话里、网页上、工程师那边要各说一遍。",
            ],
            en: &[
                "To report a fault we have to take photos, fill in a form, wait for approval, then call again to confirm.",
                "We already sent the invoice, the contract and photos, and now they want a written statement as well.",
                "I have had to give the same information by phone, on the website and again to the engineer.",
            ],
        },
    },
    Leaf {
        code: "complaint.overall.slow_head_office",
        kind: Kind::Complaint,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &["总部审批太慢，问题一直拖着", "{P}索赔申请总部半个月没批", "什么事都要等总部回复"],
            en: &[
                "Head office approval is holding everything up",
                "Warranty claim for my {P} waiting on head office for two weeks",
                "Everything has to wait for head office",
            ],
        },
        details: Texts {
            zh: &[
                "当地服务站说他们做不了主，必须等总部审批。",
                "申请提交半个月了，每次问都说总部还在审核。",
                "换个配件的决定也要层层上报，效率太低了。",
            ],
            en: &[
                "The local service centre says it cannot decide anything without head office approval.",
                "The request went in two weeks ago and it is still under review at head office.",
                "Every decision, even replacing a part, gets escalated up the chain. It is very inefficient.",
            ],
        },
    },
    // ---- consultation ----------------------------------------------------
    Leaf {
        code: "consultation.product",
        kind: Kind::Consultation,
        ctx: false,
        paired: false,
        subjects: Texts {
            zh: &[
                "{P}和上一代有什么区别？",
                "请问{P}支持哪些功能？",
                "{P}适合我们这种场景吗？",
                "咨询一下{P}的参数和价格",
            ],
            en: &[
                "What is the difference between the {P} and the previous model?",
                "Which features does the {P} support?",
                "Is the {P} suitable for our use case?",
                "Specs and pricing for the {P}",
            ],
        },
        details: Texts {
            zh: &[
                "我们在考虑采购{P}，想先了解一下具体配置和报价。",
                "官网上的参数表写得不太清楚，能不能发一份详细的规格说明？",
                "另外想问下现在有没有现货，大概多久能交付。",
                "请问最近有没有优惠活动，批量采购能不能打折？",
            ],
            en: &[
                "We are considering the {P} and would like the detailed specifications and a quote.",
                "The spec sheet on the website is not very clear. Could you send a full datasheet?",
                "Also, is it in stock, and what is the typical lead time?",
                "Are there any current promotions or volume discounts?",
            ],
        },
    },
    Leaf {
        code: "consultation.order",
        kind: Kind::Consultation,
        ctx: false,
        paired: true,
        subjects: Texts {
            zh: &[
                "订单 {O} 什么时候发货？",
                "查一下我的订单到哪了",
                "下单后能不能修改收货地址？",
                "{P}的订单一直显示待发货",
            ],
            en: &[
                "When will order {O} ship?",
                "Where is my order?",
                "Can I change the delivery address after ordering?",
                "Order for the {P} still shows awaiting shipment",
            ],
        },
        details: Texts {
            zh: &[
                "我{N}天前下的单，订单号 {O}，到现在还显示待发货，什么时候能发？",
                "能不能帮忙查一下物流？订单号 {O}，页面上好几天没更新了。",
                "订单号 {O}，下单时地址填错了，想改成公司地址，还来得及吗？",
                "付款{N}天了还是待发货，订单号 {O}，是不是缺货了？",
            ],
            en: &[
                "I placed order {O} {N} days ago and it still shows as awaiting shipment. When will it go out?",
                "Could you check the tracking for order {O}? The page has not updated for days.",
                "I entered the wrong address for order {O} and need it changed to our office. Is it too late?",
                "I paid {N} days ago and order {O} is still awaiting shipment. Is it out of stock?",
            ],
        },
    },
    Leaf {
        code: "consultation.billing",
        kind: Kind::Consultation,
        ctx: false,
        paired: true,
        subjects: Texts {
            zh: &["发票怎么开？", "账单金额和合同对不上", "{P}续费价格咨询", "重复扣款了，请帮忙核实"],
            en: &[
                "How do I get an invoice?",
                "Bill amount does not match our contract",
                "Renewal pricing for the {P}",
                "I was charged twice, please check",
            ],
        },
        details: Texts {
            zh: &[
                "我们需要开增值税专用发票，抬头和税号要在哪里提交？",
                "这个月的账单比合同约定的金额多了不少，想知道具体是哪些费用。",
                "{P}年底到期，想问下续费有没有折扣。",
                "订单 {O} 好像被扣了两次款，麻烦核实一下。",
            ],
            en: &[
                "We need a VAT invoice. Where do I submit our company name and tax ID?",
                "This month's bill is well above the amount in our contract. Could you break down the charges?",
                "Our {P} contract ends at the end of the year. Is there a renewal discount?",
                "It looks like order {O} was charged twice. Please check.",
            ],
        },
    },
    Leaf {
        code: "consultation.account",
        kind: Kind::Consultation,
        ctx: false,
        paired: true,
        subjects: Texts {
            zh: &[
                "账号登录不上了怎么办？",
                "怎么修改绑定的手机号？",
                "如何给同事开子账号？",
                "密码忘了，收不到验证码",
            ],
            en: &[
                "Cannot log in to my account",
                "How do I change the phone number on my account?",
                "How do I add sub-accounts for my team?",
                "Forgot my password and not receiving the verification code",
            ],
        },
        details: Texts {
            zh: &[
                "输入密码后一直提示账号或密码错误，重置了也不行。",
                "原来的手机号已经不用了，收不到验证码，想换绑新号码。",
                "公司新来了几个同事，想给他们开账号，权限怎么设置？",
                "点了忘记密码，可手机一直收不到验证码，等了十几分钟也没有。",
            ],
            en: &[
                "It keeps saying the username or password is wrong, even after a reset.",
                "My old phone number is no longer in use, so I cannot receive codes. I need to switch to a new number.",
                "A few new colleagues joined and need accounts. How do I set their permissions?",
                "I clicked 'forgot password' but the verification code never arrives, even after fifteen minutes.",
            ],
        },
    },
    // ---- after_sales -----------------------------------------------------
    Leaf {
        code: "after_sales.return",
        kind: Kind::AfterSales,
        ctx: false,
        paired: false,
        subjects: Texts {
            zh: &["如何办理退换货？", "{P}收到有问题，想退货", "{P}不合适，七天内能退吗？"],
            en: &[
                "How do I return an item?",
                "The {P} arrived faulty, I want to return it",
                "Can I return the {P} within 7 days?",
            ],
        },
        details: Texts {
            zh: &[
                "订单号 {O}，{P}收到第二天就{F}。",
                "外包装还在，配件也都齐全，想申请退货。",
                "请问退货运费谁承担？需要寄到哪个地址？",
            ],
            en: &[
                "Order {O}: the day after the {P} arrived we noticed {F}.",
                "The packaging is intact and all accessories are included. I would like to return it.",
                "Who pays for return shipping, and where should I send it?",
            ],
        },
    },
    Leaf {
        code: "after_sales.refund",
        kind: Kind::AfterSales,
        ctx: false,
        paired: false,
        subjects: Texts {
            zh: &["申请退款流程怎么走？", "退款申请提交一周了还没到账", "{P}退货以后什么时候退款？"],
            en: &[
                "How do I request a refund?",
                "Refund requested a week ago, still not received",
                "When will I be refunded for the returned {P}?",
            ],
        },
        details: Texts {
            zh: &[
                "订单 {O} 已经寄回去了，仓库那边显示已签收。",
                "退款申请显示审核通过，但钱一直没退到原支付账户。",
                "想确认一下退款大概几个工作日能到账。",
            ],
            en: &[
                "Order {O} has been sent back and the warehouse has signed for it.",
                "The refund shows as approved, but the money has not reached my original payment method.",
                "Could you confirm how many business days the refund takes?",
            ],
        },
    },
    Leaf {
        code: "after_sales.repair",
        kind: Kind::AfterSales,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &["{P}{F}，需要维修", "{P}坏了，怎么申请维修？", "报修：{P}{F}"],
            en: &[
                "{P} needs repair: {F}",
                "My {P} is broken, how do I request a repair?",
                "Repair request: {F} on the {P}",
            ],
        },
        details: Texts {
            zh: &[
                "{P}最近{F}，已经没法正常用了。",
                "设备序列号 {S}，还在保修期内。",
                "是寄修还是上门修？大概要多长时间？",
            ],
            en: &[
                "We are dealing with {F} on our {P}, and it is no longer usable.",
                "Serial number {S}, still under warranty.",
                "Should I send it in or will someone come out? How long will it take?",
            ],
        },
    },
    Leaf {
        code: "after_sales.warranty",
        kind: Kind::AfterSales,
        ctx: false,
        paired: true,
        subjects: Texts {
            zh: &[
                "{P}还在保修期内吗？",
                "保修期内维修要收费吗？",
                "怎么查询{P}的保修期？",
                "延保服务怎么购买？",
            ],
            en: &[
                "Is my {P} still under warranty?",
                "Do in-warranty repairs cost anything?",
                "How can I check the warranty period for the {P}?",
                "How do I buy an extended warranty?",
            ],
        },
        details: Texts {
            zh: &[
                "设备序列号 {S}，是前年买的，不确定还在不在保修期。",
                "维修站说这次维修要收费，可设备还没过保修期，想确认一下保修条款。",
                "设备序列号 {S}，在哪里能查到保修到期时间？",
                "想给{P}买个延保，请问价格和服务内容是怎样的？",
            ],
            en: &[
                "The serial number is {S}; we bought it two years ago and are not sure the warranty is still valid.",
                "The service centre wants to charge for a repair although it is still under warranty. What does the warranty include?",
                "Where can I look up the warranty end date for serial number {S}?",
                "We would like an extended warranty for the {P}. What does it cost and what does it cover?",
            ],
        },
    },
    // ---- field_service ---------------------------------------------------
    Leaf {
        code: "field_service.installation",
        kind: Kind::FieldService,
        ctx: false,
        paired: false,
        subjects: Texts {
            zh: &["预约{P}上门安装", "{P}到货了，什么时候安排安装？", "新买的{P}需要安装调试"],
            en: &[
                "Book installation for the {P}",
                "{P} delivered, when can installation be scheduled?",
                "New {P} needs installation and commissioning",
            ],
        },
        details: Texts {
            zh: &[
                "{P}昨天已经到货，订单号 {O}，想约这周内上门安装。",
                "安装地点在我们新厂区，需要提前准备什么条件吗？",
                "现场有叉车和电源，工程师来了就能装。",
            ],
            en: &[
                "The {P} was delivered yesterday (order {O}). We would like it installed this week.",
                "The installation site is at our new plant. Is there anything we should prepare in advance?",
                "We have a forklift and power on site, so the engineer can start right away.",
            ],
        },
    },
    Leaf {
        code: "field_service.maintenance",
        kind: Kind::FieldService,
        ctx: true,
        paired: false,
        subjects: Texts {
            zh: &[
                "{P}到保养时间了，预约上门保养",
                "申请{P}定期维护",
                "{P}运行满{N}000 小时，需要做保养",
            ],
            en: &[
                "Book scheduled maintenance for the {P}",
                "Request for routine servicing of the {P}",
                "{P} at {N},000 hours, due for service",
            ],
        },
        details: Texts {
            zh: &[
                "设备已经运行了{N}000 多个小时，按手册该做保养了。",
                "想约下周上门做一次全面检查，顺便换机油和滤芯。",
                "最近{F}，保养的时候麻烦一起看看。",
            ],
            en: &[
                "It has logged over {N},000 hours and is due for service according to the manual.",
                "We would like a full inspection next week, including oil and filter changes.",
                "We have also noticed {F}; please check that during the visit.",
            ],
        },
    },
    // ---- suggestion ------------------------------------------------------
    Leaf {
        code: "suggestion.product",
        kind: Kind::Suggestion,
        ctx: false,
        paired: false,
        subjects: Texts {
            zh: &["建议{P}增加一个功能", "对{P}的一点改进建议", "希望{P}下一代能改进一下"],
            en: &[
                "Feature suggestion for the {P}",
                "A few improvement ideas for the {P}",
                "Wish list for the next version of the {P}",
            ],
        },
        details: Texts {
            zh: &[
                "用了一段时间{P}，整体挺满意，有几点小建议。",
                "希望能增加远程查看运行数据的功能，现在每次都得到现场看。",
                "说明书写得太简单了，建议出个视频教程。",
                "操作界面字太小，年纪大一点的师傅看着费劲。",
            ],
            en: &[
                "We have used the {P} for a while and are happy overall, but have a few suggestions.",
                "Remote access to operating data would be very useful; right now we have to go on site to check.",
                "The manual is too brief. Video tutorials would help a lot.",
                "The text on the display is too small for some of our older operators.",
            ],
        },
    },
    Leaf {
        code: "suggestion.service",
        kind: Kind::Suggestion,
        ctx: false,
        paired: false,
        subjects: Texts {
            zh: &["建议增加在线查询维修进度", "对售后服务的几点建议", "希望客服热线能延长服务时间"],
            en: &[
                "Suggestion: let customers track repair progress online",
                "Some suggestions for your after-sales service",
                "Please extend the hotline opening hours",
            ],
        },
        details: Texts {
            zh: &[
                "现在查维修进度只能打电话，建议做个小程序，随时能看。",
                "晚上和周末设备出问题找不到人，希望能有 24 小时热线。",
                "工程师上门前如果能发个短信告知到达时间就好了。",
            ],
            en: &[
                "Right now the only way to check repair status is by phone. An online tracker would save everyone time.",
                "When something breaks at night or at weekends there is nobody to call. A 24-hour line would help.",
                "It would be great if the engineer sent a text with an arrival time before each visit.",
            ],
        },
    },
];

fn is_under(code: &str, prefix: &str) -> bool {
    code.len() > prefix.len() && code.starts_with(prefix) && code.as_bytes()[prefix.len()] == b'.'
}

/// A random leaf under `prefix`, if any.
fn leaf_under(rng: &mut Rng, prefix: &str) -> Option<&'static Leaf> {
    let n = LEAVES.iter().filter(|l| is_under(l.code, prefix)).count();
    if n == 0 {
        return None;
    }
    let k = rng.usize(..n);
    LEAVES.iter().filter(|l| is_under(l.code, prefix)).nth(k)
}

/// The category itself if it is a leaf, else a random leaf under it, else a random leaf of the kind.
fn resolve_leaf(rng: &mut Rng, kind: &str, category: &str) -> &'static Leaf {
    if let Some(l) = LEAVES.iter().find(|l| l.code == category) {
        return l;
    }
    leaf_under(rng, category)
        .or_else(|| leaf_under(rng, Kind::parse(kind).code()))
        .unwrap_or(&LEAVES[22])
}

// ---------------------------------------------------------------------------
// Description fragments shared across categories
// ---------------------------------------------------------------------------

static GREETING: Texts = Texts {
    zh: &["你好，", "您好，", "客服你好，", "你好，麻烦看一下。"],
    en: &["Hi there.", "Hello.", "Good morning."],
};

static CONTEXT_EQUIPMENT: Texts = Texts {
    zh: &[
        "我们工地上有一台{P}，序列号 {S}。",
        "{P}是去年{N}月份买的，一直在矿山上干活。",
        "我们公司有几台{P}，主要跑市政工程。",
        "设备型号{P}，序列号 {S}，目前在项目上用。",
    ],
    en: &[
        "We run the {P} on one of our sites, serial number {S}.",
        "We bought the {P} last year and it works in our quarry every day.",
        "Our company operates several {P} units on municipal projects.",
        "Model {P}, serial {S}, currently working on a project.",
    ],
};

static CONTEXT_DEVICE: Texts = Texts {
    zh: &[
        "上个月在官方商城买的{P}，订单号 {O}。",
        "{P}是{N}月份买的，平时用得挺多。",
        "我给家里买了一台{P}，用了不到半年。",
    ],
    en: &[
        "We bought the {P} from your online store last month (order {O}).",
        "We have had our {P} for about {N} months and use it every day.",
        "We bought the {P} for home less than six months ago.",
    ],
};

static CONTEXT_SOFTWARE: Texts = Texts {
    zh: &[
        "我们公司用{P}大概一年了。",
        "我们是{P}的付费用户，团队有几十个人在用。",
        "我们{N}月份开通的{P}，主要给客服团队用。",
    ],
    en: &[
        "Our company has been using {P} for about a year.",
        "We are a paying {P} customer with a few dozen users.",
        "We signed up for {P} in the spring, mainly for our support team.",
    ],
};

static CONTEXT_UNKNOWN: Texts = Texts {
    zh: &["我们去年在贵司买的{P}。", "{P}用了大概一年。"],
    en: &[
        "We bought the {P} from you last year.",
        "We have been using the {P} for about a year.",
    ],
};

fn contexts(class: Class) -> &'static Texts {
    match class {
        Class::Equipment => &CONTEXT_EQUIPMENT,
        Class::Device => &CONTEXT_DEVICE,
        Class::Software => &CONTEXT_SOFTWARE,
        Class::Unknown => &CONTEXT_UNKNOWN,
    }
}

static TRIED_COMPLAINT: Texts = Texts {
    zh: &[
        "前前后后打了五六次客服电话，每次都说会反馈。",
        "已经跟当地服务站的负责人反映过了，没有结果。",
        "这件事我们已经等了很久，实在没办法才来投诉。",
        "这个问题已经严重影响到我们的正常工作了。",
    ],
    en: &[
        "I have called support five or six times and each time was told it would be passed on.",
        "We have already raised this with the local service manager, with no result.",
        "We have been patient for a long time and are only complaining now because we have no other option.",
        "This is seriously disrupting our work.",
    ],
};

static TRIED_CONSULTATION: Texts = Texts {
    zh: &[
        "官网帮助中心看了一圈，没找到相关说明。",
        "之前在线问过一次，没说清楚。",
        "打热线一直占线。",
    ],
    en: &[
        "I looked through the help centre but could not find an answer.",
        "I asked on chat before but did not get a clear answer.",
        "The hotline has been busy all morning.",
    ],
};

static TRIED_AFTER_SALES: Texts = Texts {
    zh: &[
        "官网帮助中心看了一圈，没找到相关说明。",
        "之前在线问过一次，没说清楚。",
        "按说明书上的方法试过了，没用。",
    ],
    en: &[
        "I looked through the help centre but could not find an answer.",
        "I asked on chat before but did not get a clear answer.",
        "I tried the steps in the manual, with no luck.",
    ],
};

static WANT_COMPLAINT: Texts = Texts {
    zh: &[
        "希望尽快给个明确的处理方案。",
        "请你们领导重视一下，今天之内给我回复。",
        "要求尽快派人解决，并对这次的损失给个说法。",
        "如果再解决不了，我们只能考虑走其他途径了。",
    ],
    en: &[
        "I expect a clear plan to resolve this as soon as possible.",
        "Please escalate this to a manager and reply to me today.",
        "Send someone to fix it now, and tell us how you will compensate for the downtime.",
        "If this is not resolved soon we will have to consider other options.",
    ],
};

static WANT_CONSULTATION: Texts = Texts {
    zh: &["麻烦尽快回复，谢谢！", "请问具体应该怎么操作？", "方便的话请打我电话详细说一下。"],
    en: &[
        "Thanks in advance for your help.",
        "Could you tell me exactly what I need to do?",
        "If it is easier, please give me a call.",
    ],
};

static WANT_AFTER_SALES: Texts = Texts {
    zh: &["请尽快帮忙处理，谢谢。", "麻烦告诉我下一步怎么操作。", "希望这周内能处理好。"],
    en: &[
        "Please help sort this out as soon as possible.",
        "Please let me know the next steps.",
        "I would like this resolved within the week.",
    ],
};

static WANT_FIELD_SERVICE: Texts = Texts {
    zh: &[
        "请帮忙安排工程师，尽量这周内。",
        "上门前请提前一天联系现场负责人。",
        "麻烦确认一下上门时间。",
    ],
    en: &[
        "Please schedule an engineer, ideally this week.",
        "Please call our site manager a day before the visit.",
        "Please confirm the appointment time.",
    ],
};

static WANT_SUGGESTION: Texts = Texts {
    zh: &[
        "希望能采纳，谢谢！",
        "仅供参考，期待产品越做越好。",
        "如果需要，我们可以配合做测试。",
    ],
    en: &[
        "Hope this is useful. Thanks!",
        "Just some feedback; keep up the good work.",
        "We are happy to help test it if that would be useful.",
    ],
};

fn wants(kind: Kind) -> &'static Texts {
    match kind {
        Kind::Complaint => &WANT_COMPLAINT,
        Kind::Consultation => &WANT_CONSULTATION,
        Kind::AfterSales => &WANT_AFTER_SALES,
        Kind::FieldService => &WANT_FIELD_SERVICE,
        Kind::Suggestion => &WANT_SUGGESTION,
    }
}

fn trieds(kind: Kind) -> Option<&'static Texts> {
    match kind {
        Kind::Complaint => Some(&TRIED_COMPLAINT),
        Kind::Consultation => Some(&TRIED_CONSULTATION),
        Kind::AfterSales => Some(&TRIED_AFTER_SALES),
        Kind::FieldService | Kind::Suggestion => None,
    }
}

// ---------------------------------------------------------------------------
// Public API: tickets
// ---------------------------------------------------------------------------

/// Subject and description for a new ticket of the given kind and category code.
/// `kind` is one of: "consultation", "complaint", "suggestion", "after_sales", "field_service".
/// `category` is a dotted code (a leaf such as `complaint.parts.wrong_part`, or a branch such as `complaint.parts`).
pub fn ticket_text(rng: &mut Rng, lang: Lang, kind: &str, category: &str, product: &str) -> (String, String) {
    let leaf = resolve_leaf(rng, kind, category);
    let mut cx = Ctx::new(rng, lang, product);

    let mut subject = String::with_capacity(96);
    let subjects = leaf.subjects.get(lang);
    let k = cx.rng.usize(..subjects.len());
    cx.render(&mut subject, subjects[k]);
    if let Some(first) = subject.get_mut(..1) {
        first.make_ascii_uppercase();
    }

    let mut body = String::with_capacity(if lang == Lang::Zh { 400 } else { 480 });
    let greet = cx.rng.u8(..4) == 0;
    if greet {
        let g = pick(cx.rng, GREETING.get(lang));
        cx.sentence(&mut body, g);
    }
    // Before the closing ask: an optional opener, one or two details and an optional "what we tried"
    // (English keeps at most one optional piece to stay near 300 characters). Short bodies get more pieces.
    let min_chars = if lang == Lang::Zh { 55 } else { 110 };
    let mut mask = cx.rng.u8(..8);
    if mask == 7 {
        mask = 3;
    }
    if lang == Lang::En && mask.count_ones() > 1 {
        mask &= mask.wrapping_neg();
    }
    if !leaf.ctx {
        mask &= !1;
    }
    if leaf.paired {
        mask &= !2;
    }
    if mask & 1 != 0 {
        let c = pick(cx.rng, contexts(cx.class).get(lang));
        cx.sentence(&mut body, c);
    }
    let details = leaf.details.get(lang);
    let i = if leaf.paired { k } else { cx.rng.usize(..details.len()) };
    let extra_detail = !leaf.paired && (mask & 2 != 0 || body.chars().count() + details[i].chars().count() < min_chars);
    if extra_detail {
        // Two details keep their table order, which reads as problem first, consequence second.
        let j = other_index(cx.rng, details.len(), i);
        cx.sentence(&mut body, details[i.min(j)]);
        cx.sentence(&mut body, details[i.max(j)]);
    } else {
        cx.sentence(&mut body, details[i]);
    }
    if let Some(t) = trieds(leaf.kind)
        && ((mask & 4 != 0 && (lang == Lang::Zh || !extra_detail)) || body.chars().count() < min_chars)
    {
        let t = pick(cx.rng, t.get(lang));
        cx.sentence(&mut body, t);
    }
    if !greet && body.chars().count() < min_chars {
        let g = pick(cx.rng, GREETING.get(lang));
        if lang == Lang::En {
            body.insert(0, ' ');
        }
        body.insert_str(0, g);
    }
    let w = pick(cx.rng, wants(leaf.kind).get(lang));
    cx.sentence(&mut body, w);
    (subject, body)
}

/// A product name, e.g. "X200 挖掘机" / "X200 excavator", "智能手表 S3", "Kefu Cloud 专业版".
pub fn product(rng: &mut Rng, lang: Lang) -> &'static str {
    let p = &PRODUCTS[rng.usize(..PRODUCTS.len())];
    match lang {
        Lang::Zh => p.zh,
        Lang::En => p.en,
    }
}

/// The product's name in the catalogue (the `product` custom field): the Chinese name,
/// whatever language the customer wrote in.
pub fn catalogue_name(product: &str) -> &str {
    PRODUCTS
        .iter()
        .find(|p| p.zh == product || p.en == product)
        .map_or(product, |p| p.zh)
}

/// The product of the demo's hot issue.
pub const SURGE_PRODUCT: &str = "智能手表 S3";

/// A ticket of the demo's hot issue: the S3 watch stops turning on after firmware 3.2,
/// so the hot-issues page has something forming in the last day.
pub fn surge_text(rng: &mut Rng, lang: Lang) -> (String, String) {
    const ZH: [(&str, &str); 4] = [
        (
            "智能手表 S3 升级固件后无法开机",
            "昨天晚上手表提示升级固件 3.2，升级完成后就黑屏了，长按电源键也无法开机，充电也没有反应。",
        ),
        (
            "S3 手表固件升级后黑屏开不了机",
            "按提示升级了固件，现在手表一直黑屏，无法开机。换了充电线也一样，请问怎么处理？",
        ),
        (
            "手表升级 3.2 固件后无法开机",
            "升级固件之后手表就无法开机了，之前一直正常使用。订单号 {order}，能否安排维修或者换货？",
        ),
        (
            "固件升级失败，智能手表 S3 无法开机",
            "固件升级到一半手表自动重启，之后一直无法开机，屏幕没有任何显示。",
        ),
    ];
    const EN: [(&str, &str); 3] = [
        (
            "Smartwatch S3 won't turn on after firmware update",
            "My watch installed firmware 3.2 last night and now the screen stays black. It won't turn on, even on the charger.",
        ),
        (
            "S3 watch dead after firmware 3.2",
            "After the firmware update the watch does not turn on at all. Holding the power button does nothing.",
        ),
        (
            "Firmware update bricked my Smartwatch S3",
            "The firmware update stopped halfway, the watch restarted and now it won't turn on. Order {order}.",
        ),
    ];
    let (subject, body) = match lang {
        Lang::Zh => ZH[rng.usize(..ZH.len())],
        Lang::En => EN[rng.usize(..EN.len())],
    };
    let order = format!("KF{}", rng.u64(10_000_000..99_999_999));
    (subject.to_owned(), body.replace("{order}", &order))
}

// ---------------------------------------------------------------------------
// Public API: conversation
// ---------------------------------------------------------------------------

static REPLY_GREETING: Texts = Texts {
    zh: &[
        "您好，感谢您的耐心等待。",
        "您好，这里是客服中心，很高兴为您服务。",
        "您好，您反馈的问题我们已经收到。",
        "您好，我是负责跟进您工单的客服。",
    ],
    en: &[
        "Hello, and thank you for your patience.",
        "Hi, thanks for reaching out to us.",
        "Hello, we have received your message.",
        "Hi, I am the agent following up on your ticket.",
    ],
};

static REPLY_APOLOGY: Texts = Texts {
    zh: &[
        "非常抱歉给您带来了不便，这是我们的工作没做到位。",
        "对于这次的服务体验，我们深表歉意。",
        "给您添麻烦了，真的很抱歉。",
        "您的心情我们完全理解，非常抱歉让您久等了。",
    ],
    en: &[
        "I am very sorry for the inconvenience this has caused.",
        "Please accept our sincere apologies for this experience.",
        "I completely understand your frustration, and I apologise for the delay.",
        "We are sorry that we let you down this time.",
    ],
};

static REPLY_SORRY_WAIT: Texts = Texts {
    zh: &["抱歉让您久等了。"],
    en: &["Sorry to keep you waiting."],
};

static REPLY_COMPLAINT: Texts = Texts {
    zh: &[
        "我已经把情况升级给区域服务经理，他会在{T}前给您回电。",
        "我们已安排资深工程师重新排查，预计{T}到达现场。",
        "配件已经安排加急发货，预计{T}前送到，到货后工程师当天上门更换。",
        "我会全程跟进这张工单，{T}前一定给您一个明确的处理方案。",
        "{E}会在{T}前和您联系，确认具体的上门时间。",
    ],
    en: &[
        "I have escalated this to our regional service manager, who will call you by {T}.",
        "A senior engineer has been assigned to re-inspect it and will be on site by {T}.",
        "The part has been sent by express and should arrive by {T}; the engineer will fit it the same day.",
        "I will follow this ticket personally and send you a clear resolution plan by {T}.",
        "{E} will contact you by {T} to confirm the visit time.",
    ],
};

static REPLY_CONSULTATION: Texts = Texts {
    zh: &[
        "相关的操作说明我已经发到您的邮箱，请注意查收。",
        "具体报价需要销售同事确认，他会在{T}前联系您。",
        "您可以在“我的订单”页面查看物流进度，订单目前已经出库。",
        "发票会在{T}前开具，并发送到您预留的邮箱。",
        "您在账号设置里点“安全中心”，就可以更换绑定的手机号。",
    ],
    en: &[
        "I have emailed you the step-by-step instructions.",
        "A sales colleague will confirm pricing and contact you by {T}.",
        "You can track the shipment under My Orders; your order has already left the warehouse.",
        "The invoice will be issued and emailed to you by {T}.",
        "You can change your phone number under Account Settings, then Security.",
    ],
};

static REPLY_AFTER_SALES: Texts = Texts {
    zh: &[
        "退货申请已经帮您提交，审核通过后会有短信通知，退款一般 3 到 5 个工作日原路退回。",
        "已为您登记维修，工程师会在{T}前与您联系确认上门时间。",
        "经核实您的设备在保修期内，本次维修不收取任何费用。",
        "快递员会在{T}前上门取件，麻烦您提前打包好。",
    ],
    en: &[
        "I have submitted your return request; once approved, the refund goes back to your original payment method within 3 to 5 business days.",
        "Your repair is booked and an engineer will contact you by {T} to arrange a visit.",
        "I have checked and your unit is under warranty, so this repair is free of charge.",
        "A courier will collect the item by {T}; please have it packed and ready.",
    ],
};

static REPLY_FIELD_SERVICE: Texts = Texts {
    zh: &[
        "已为您预约工程师，{T}上门，请保持电话畅通。",
        "{E}会在{T}前到达现场，出发前会提前给您打电话。",
        "保养大约需要 3 个小时，请提前安排好停机时间。",
        "安装完成后工程师会现场给操作人员做培训。",
    ],
    en: &[
        "An engineer has been booked and will arrive by {T}; please keep your phone on.",
        "{E} will be on site by {T} and will call you before setting off.",
        "The service takes about three hours, so please plan for the downtime.",
        "After installation the engineer will train your operators on site.",
    ],
};

static REPLY_SUGGESTION: Texts = Texts {
    zh: &[
        "您的建议我们已经记录，并转交给产品团队评估。",
        "非常感谢您的宝贵建议，我们会在后续版本中认真考虑。",
        "这个建议很有价值，产品经理会在{T}前和您沟通细节。",
    ],
    en: &[
        "Your suggestion has been logged and passed to our product team.",
        "Thank you for the valuable feedback; we will consider it for a future release.",
        "This is a great idea; our product manager will reach out by {T} to discuss the details.",
    ],
};

static REPLY_FOLLOW_THROUGH: Texts = Texts {
    zh: &[
        "处理进展我们会第一时间通过短信通知您。",
        "如果期间有任何变化，我会再和您联系。",
        "您也可以随时在工单页面查看处理进度。",
        "这张工单我会一直跟进到问题解决为止。",
    ],
    en: &[
        "We will text you as soon as there is any progress.",
        "If anything changes in the meantime, I will get back to you.",
        "You can also check the progress on the ticket page at any time.",
        "I will keep this ticket open until the issue is fully resolved.",
    ],
};

static REPLY_CLOSING: Texts = Texts {
    zh: &[
        "还有其他可以帮到您的吗？",
        "请问还有其他问题需要咨询吗？",
        "如有任何疑问，随时联系我们。",
        "祝您工作顺利！",
        "感谢您的理解与支持！",
    ],
    en: &[
        "Is there anything else I can help you with?",
        "Do you have any other questions?",
        "Please feel free to contact us anytime.",
        "Have a great day!",
        "Thank you for your understanding.",
    ],
};

/// An agent's public reply fitting the kind: greeting, an apology for complaints, a concrete next step with a time, and a closing line.
pub fn agent_reply(rng: &mut Rng, lang: Lang, kind: &str) -> String {
    let kind = Kind::parse(kind);
    let mut out = String::with_capacity(if lang == Lang::Zh { 200 } else { 320 });
    let mut cx = Ctx::new(rng, lang, "");
    let g = pick(cx.rng, REPLY_GREETING.get(lang));
    cx.sentence(&mut out, g);
    if kind == Kind::Complaint {
        let a = pick(cx.rng, REPLY_APOLOGY.get(lang));
        cx.sentence(&mut out, a);
    } else if kind == Kind::AfterSales && cx.rng.u8(..3) == 0 {
        let a = pick(cx.rng, REPLY_SORRY_WAIT.get(lang));
        cx.sentence(&mut out, a);
    }
    let bodies = match kind {
        Kind::Complaint => &REPLY_COMPLAINT,
        Kind::Consultation => &REPLY_CONSULTATION,
        Kind::AfterSales => &REPLY_AFTER_SALES,
        Kind::FieldService => &REPLY_FIELD_SERVICE,
        Kind::Suggestion => &REPLY_SUGGESTION,
    }
    .get(lang);
    let b = pick(cx.rng, bodies);
    cx.sentence(&mut out, b);
    if cx.rng.u8(..5) < 2 {
        let f = pick(cx.rng, REPLY_FOLLOW_THROUGH.get(lang));
        cx.sentence(&mut out, f);
    }
    let c = pick(cx.rng, REPLY_CLOSING.get(lang));
    cx.sentence(&mut out, c);
    out
}

static FOLLOW_THANKS: Texts = Texts {
    zh: &[
        "好的，谢谢！",
        "收到，辛苦了。",
        "问题已经解决了，谢谢你们。",
        "好的，那我等你们消息。",
        "工程师已经修好了，服务不错，谢谢。",
    ],
    en: &[
        "OK, thanks!",
        "Got it, thank you.",
        "The issue is fixed now, thanks for your help.",
        "OK, I will wait to hear from you.",
        "The engineer fixed it, great service, thanks.",
    ],
};

static FOLLOW_DETAILS: Texts = Texts {
    zh: &[
        "补充一下，故障一般是早上冷机启动的时候出现。",
        "照片和视频我已经发到邮箱了，请查收。",
        "序列号是 {S}，麻烦再查一下。",
        "订单号是 {O}。",
        "下午三点以后现场有人，可以过来。",
        "我们的地址是工业园区 {N} 号厂房，到了打我电话。",
    ],
    en: &[
        "To add some detail: the fault usually appears when starting from cold in the morning.",
        "I have emailed the photos and a video, please take a look.",
        "The serial number is {S}, please check again.",
        "The order number is {O}.",
        "Someone will be on site after 3 pm, so you can come then.",
        "We are in building {N} of the industrial park; call me when you arrive.",
    ],
};

static FOLLOW_IMPATIENT: Texts = Texts {
    zh: &[
        "都过去两天了，到底什么时候能处理？",
        "怎么还没人联系我？",
        "已经等了一上午了，工程师到底来不来？",
        "这个方案我们不接受，请你们领导来处理。",
        "能不能直接给我打个电话？手机号码在工单里。",
    ],
    en: &[
        "It has been two days. When will this actually be handled?",
        "Why has nobody contacted me yet?",
        "I have been waiting all morning. Is the engineer coming or not?",
        "That is not acceptable. Please get a manager to handle this.",
        "Could someone just call me? My number is on the ticket.",
    ],
};

static FOLLOW_REPEAT: Texts = Texts {
    zh: &[
        "我再问一遍，退款什么时候能到账？",
        "上次问的问题还没回复呢。",
        "还是想确认一下，上门时间定了吗？",
        "之前说的配件发货了吗？",
    ],
    en: &[
        "Asking again: when will my refund arrive?",
        "I still have not had an answer to my last question.",
        "Just checking again: has the visit time been confirmed?",
        "Has the part you mentioned been shipped yet?",
    ],
};

/// A customer's follow-up message (thanks, more details, impatience, a repeated question...).
pub fn customer_follow_up(rng: &mut Rng, lang: Lang) -> String {
    let mut out = String::with_capacity(if lang == Lang::Zh { 96 } else { 160 });
    let mut cx = Ctx::new(rng, lang, "");
    let g = cx.rng.u8(..4);
    let group = match g {
        0 => &FOLLOW_THANKS,
        1 => &FOLLOW_DETAILS,
        2 => &FOLLOW_IMPATIENT,
        _ => &FOLLOW_REPEAT,
    }
    .get(lang);
    let i = cx.rng.usize(..group.len());
    cx.sentence(&mut out, group[i]);
    if g == 1 && cx.rng.u8(..10) < 4 {
        let j = other_index(cx.rng, group.len(), i);
        cx.sentence(&mut out, group[j]);
    }
    out
}

static NOTES: Texts = Texts {
    zh: &[
        "客户情绪比较激动，回复时注意措辞。",
        "已电话联系客户，约好{T}前回电。",
        "已查配件库存，华东仓有货，已申请调拨。",
        "该客户是重点客户，请优先处理。",
        "同一台设备本月第三次报修，建议安排高级工程师。",
        "已和{E}确认，{T}可以上门。",
        "客户要求补偿，需要主管审批。",
        "等财务确认退款金额后再回复客户。",
        "疑似批次质量问题，已同步质量部门。",
        "客户留的手机打不通，已发短信，等回复。",
        "转技术支持前已收集日志和故障码截图。",
        "跟进中，{T}前如无进展升级到区域经理。",
    ],
    en: &[
        "Customer is quite upset, please word replies carefully.",
        "Called the customer, agreed to call back by {T}.",
        "Checked stock: the East China warehouse has the part, transfer requested.",
        "Key account, please prioritise.",
        "Third fault report for this unit this month, suggest sending a senior engineer.",
        "Confirmed with {E}, can be on site by {T}.",
        "Customer is asking for compensation, needs supervisor approval.",
        "Waiting for finance to confirm the refund amount before replying.",
        "Possible batch quality issue, flagged to the quality team.",
        "Customer's phone goes straight to voicemail; sent a text, awaiting reply.",
        "Collected logs and fault code screenshots before handing over to tech support.",
        "Following up; escalate to the regional manager if no progress by {T}.",
    ],
};

static NOTE_TAILS: Texts = Texts {
    zh: &[
        "请白班同事继续跟进。",
        "已在群里同步。",
        "明天早会再过一下。",
        "有进展我会更新到这里。",
    ],
    en: &[
        "Day shift, please keep following up.",
        "Shared in the team chat.",
        "Will review at tomorrow's stand-up.",
        "I will update this note when there is progress.",
    ],
};

/// An internal note between agents.
pub fn internal_note(rng: &mut Rng, lang: Lang) -> String {
    let mut out = String::with_capacity(if lang == Lang::Zh { 96 } else { 160 });
    let mut cx = Ctx::new(rng, lang, "");
    let n = pick(cx.rng, NOTES.get(lang));
    cx.sentence(&mut out, n);
    if cx.rng.u8(..10) < 3 {
        let t = pick(cx.rng, NOTE_TAILS.get(lang));
        cx.sentence(&mut out, t);
    }
    out
}

static TRANSFER_REASONS: Texts = Texts {
    zh: &[
        "需要技术支持部门排查设备故障",
        "涉及退款，转财务部门处理",
        "需要配件部门确认库存和发货时间",
        "客户要求上门服务，转现场服务组安排工程师",
        "投诉升级，转客户关系部跟进",
        "属于区域服务站负责范围，转当地服务站处理",
        "涉及合同条款，需要法务部门确认",
        "账号权限问题，转 IT 支持处理",
        "需要质量部门分析是否为批次问题",
        "客户咨询采购报价，转销售部门跟进",
    ],
    en: &[
        "Needs technical support to diagnose the equipment fault",
        "Refund involved, transferring to finance",
        "Parts team needs to confirm stock and delivery date",
        "Customer needs an on-site visit, transferring to field service to assign an engineer",
        "Escalated complaint, transferring to customer relations",
        "Falls under the regional service centre, transferring to the local team",
        "Contract terms involved, needs legal review",
        "Account permission issue, transferring to IT support",
        "Quality team to check for a possible batch defect",
        "Purchase enquiry, transferring to sales",
    ],
};

/// A reason for transferring a ticket to another team, e.g. "需要技术支持部门排查设备故障".
pub fn transfer_reason(rng: &mut Rng, lang: Lang) -> &'static str {
    pick(rng, TRANSFER_REASONS.get(lang))
}

static EXPECT_COMPLAINT: Texts = Texts {
    zh: &[
        "尽快上门维修",
        "更换新设备",
        "赔偿停工损失",
        "给出书面处理方案",
        "更换工程师",
        "道歉并说明原因",
        "减免本次维修费用",
        "今天之内给出答复",
    ],
    en: &[
        "An on-site repair as soon as possible",
        "A replacement unit",
        "Compensation for the downtime",
        "A written resolution plan",
        "A different engineer",
        "An apology and an explanation",
        "This repair free of charge",
        "A response by the end of today",
    ],
};

static EXPECT_CONSULTATION: Texts = Texts {
    zh: &[
        "告知具体操作步骤",
        "提供详细报价",
        "确认发货时间",
        "开具增值税专用发票",
        "恢复账号登录",
    ],
    en: &[
        "Step-by-step instructions",
        "A detailed quote",
        "A confirmed shipping date",
        "A VAT invoice",
        "Access to the account restored",
    ],
};

static EXPECT_AFTER_SALES: Texts = Texts {
    zh: &[
        "全额退款",
        "换一台新的",
        "保修期内免费维修",
        "尽快上门维修",
        "延长保修期",
        "退货退款",
    ],
    en: &[
        "A full refund",
        "A replacement",
        "A free repair under warranty",
        "An on-site repair as soon as possible",
        "An extended warranty",
        "Return and refund",
    ],
};

static EXPECT_FIELD_SERVICE: Texts = Texts {
    zh: &[
        "本周内上门安装",
        "按时完成保养",
        "安装调试后现场培训操作人员",
        "提前一天确认上门时间",
    ],
    en: &[
        "Installation this week",
        "Maintenance completed on schedule",
        "Operator training after installation",
        "The visit time confirmed a day in advance",
    ],
};

static EXPECT_SUGGESTION: Texts = Texts {
    zh: &["采纳建议并告知进展", "下个版本增加该功能", "得到产品团队的回复"],
    en: &[
        "The suggestion adopted, with progress updates",
        "The feature added in the next release",
        "A response from the product team",
    ],
};

/// What the customer expects as a resolution, e.g. "尽快上门维修" / "A full refund".
pub fn expected_resolution(rng: &mut Rng, lang: Lang, kind: &str) -> &'static str {
    let t = match Kind::parse(kind) {
        Kind::Complaint => &EXPECT_COMPLAINT,
        Kind::Consultation => &EXPECT_CONSULTATION,
        Kind::AfterSales => &EXPECT_AFTER_SALES,
        Kind::FieldService => &EXPECT_FIELD_SERVICE,
        Kind::Suggestion => &EXPECT_SUGGESTION,
    };
    pick(rng, t.get(lang))
}

// ---------------------------------------------------------------------------
// Public API: people and organisations
// ---------------------------------------------------------------------------

/// Common surnames, most frequent first (sampling favours the front of the table).
static ZH_SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁",
    "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程",
    "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付",
    "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛", "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝",
    "龚", "邵", "万", "钱", "严", "覃", "武", "戴", "莫", "孔", "向", "汤",
];

static ZH_COMPOUND_SURNAMES: &[&str] = &["欧阳", "司马", "上官", "诸葛", "东方", "慕容", "皇甫", "令狐"];

static ZH_GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "霞", "平", "刚", "鹏", "辉",
    "斌", "波", "宁", "琳", "欣", "凯", "浩", "颖", "建国", "建华", "建军", "志强", "志明", "秀英", "桂英", "秀兰", "凤英", "玉兰", "海燕",
    "晓东", "晓燕", "丽娟", "文博", "子涵", "欣怡", "浩然", "宇轩", "梓萱", "俊杰", "雨涵", "思远", "佳怡", "国庆", "红梅", "春花", "海涛",
    "婷婷", "娜娜", "丹丹", "雪梅", "嘉欣", "一鸣", "天佑", "子豪", "诗涵", "梦瑶", "立新", "卫东", "振华", "德胜", "永强", "金凤", "少华",
    "亚男", "晨曦", "文静", "小红", "晓明", "志刚", "建平", "春燕", "国华", "晓峰", "雅琴", "佳琪", "子轩", "明轩", "若曦", "思琪", "海峰",
    "宏伟", "美玲", "玉梅", "成龙", "家豪", "文杰", "秋菊", "冬梅", "伟民", "红霞",
];

static EN_FIRST: &[&str] = &[
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Daniel",
    "Karen",
    "Matthew",
    "Emily",
    "Anthony",
    "Michelle",
    "Mark",
    "Laura",
    "Steven",
    "Rachel",
    "Paul",
    "Emma",
    "Andrew",
    "Olivia",
    "Kevin",
    "Sophie",
    "Brian",
    "Hannah",
    "George",
    "Grace",
    "Edward",
    "Chloe",
    "Ryan",
    "Megan",
    "Jacob",
    "Amy",
    "Nathan",
    "Lucy",
    "Peter",
    "Helen",
    "Sam",
    "Claire",
    "Oliver",
    "Ava",
    "Liam",
    "Mia",
    "Ethan",
    "Zoe",
    "Noah",
    "Ella",
];

static EN_LAST: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Miller", "Davis", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Martin",
    "Jackson", "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Hill",
    "Green", "Adams", "Baker", "Nelson", "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans", "Edwards",
    "Collins", "Stewart", "Morris", "Murphy", "Cook", "Rogers", "Morgan", "Cooper", "Peterson", "Reed", "Bailey", "Bell", "Kelly",
    "Howard", "Ward", "Cox", "Foster", "Hughes", "Bennett", "Gray",
];

/// A realistic person name: a common Chinese surname (occasionally a compound one) and given name, or English first and last names.
pub fn person_name(rng: &mut Rng, lang: Lang) -> String {
    match lang {
        Lang::Zh => {
            let surname = if rng.u8(..50) == 0 {
                pick(rng, ZH_COMPOUND_SURNAMES)
            } else {
                // The smaller of two uniform draws leans towards the common surnames at the front.
                let n = ZH_SURNAMES.len();
                ZH_SURNAMES[rng.usize(..n).min(rng.usize(..n))]
            };
            let given = pick(rng, ZH_GIVEN);
            let mut s = String::with_capacity(surname.len() + given.len());
            s.push_str(surname);
            s.push_str(given);
            s
        }
        Lang::En => {
            let first = pick(rng, EN_FIRST);
            let last = pick(rng, EN_LAST);
            let mut s = String::with_capacity(first.len() + last.len() + 1);
            s.push_str(first);
            s.push(' ');
            s.push_str(last);
            s
        }
    }
}

static ORGANIZATIONS: Texts = Texts {
    zh: &[
        "华东机械有限公司",
        "鑫达建筑工程有限公司",
        "宏远路桥集团",
        "北方重工设备租赁有限公司",
        "蓝海物流有限公司",
        "安顺矿业有限公司",
        "星辰电子科技有限公司",
        "云帆软件技术有限公司",
        "锦程商贸有限公司",
        "顺通市政工程有限公司",
        "恒泰建设集团",
        "瑞丰农业发展有限公司",
        "嘉和物业管理有限公司",
        "天成水利工程有限公司",
        "鼎盛土石方工程有限公司",
        "金桥港口服务有限公司",
        "博远信息技术有限公司",
        "长青环保科技有限公司",
        "海川电力工程有限公司",
        "新华联家电连锁",
    ],
    en: &[
        "Northwind Trading Ltd",
        "Contoso Construction",
        "Fabrikam Inc",
        "Bluewater Logistics",
        "Redstone Quarry Co",
        "Summit Civil Engineering",
        "Harbor Point Rentals",
        "Greenfield Agritech",
        "Ironbridge Builders",
        "Maple Leaf Retail",
        "Silverline Electronics",
        "Pioneer Mining Group",
        "Oakridge Property Management",
        "Lakeside Utilities",
        "Brightpath Software",
        "Coastal Freight Services",
        "Granite Peak Equipment Rental",
        "Riverside Municipal Works",
        "Atlas Heavy Haulage",
        "Evergreen Facilities",
    ],
};

/// A company name, e.g. "华东机械有限公司", "Northwind Trading Ltd".
pub fn organization(rng: &mut Rng, lang: Lang) -> &'static str {
    pick(rng, ORGANIZATIONS.get(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [&str; 5] = ["consultation", "complaint", "suggestion", "after_sales", "field_service"];

    fn has_han(s: &str) -> bool {
        s.chars().any(is_han)
    }

    fn kind_of(code: &str) -> &str {
        code.split('.').next().unwrap()
    }

    /// Every ticket shape we can produce: each leaf, each branch, and each bare kind.
    fn categories() -> Vec<&'static str> {
        let mut v: Vec<&'static str> = Vec::new();
        for l in &LEAVES {
            let mut end = l.code.len();
            loop {
                let c = &l.code[..end];
                if !v.contains(&c) {
                    v.push(c);
                }
                match c.rfind('.') {
                    Some(i) => end = i,
                    None => break,
                }
            }
        }
        v
    }

    fn all_outputs(rng: &mut Rng, lang: Lang) -> Vec<String> {
        let mut v = Vec::new();
        for cat in categories() {
            let p = product(rng, lang);
            let (s, d) = ticket_text(rng, lang, kind_of(cat), cat, p);
            v.push(s);
            v.push(d);
        }
        for k in KINDS {
            v.push(agent_reply(rng, lang, k));
            v.push(expected_resolution(rng, lang, k).to_owned());
        }
        v.push(customer_follow_up(rng, lang));
        v.push(internal_note(rng, lang));
        v.push(transfer_reason(rng, lang).to_owned());
        v.push(person_name(rng, lang));
        v.push(organization(rng, lang).to_owned());
        v.push(product(rng, lang).to_owned());
        v
    }

    #[test]
    fn same_seed_same_output() {
        for lang in [Lang::Zh, Lang::En] {
            for seed in [0, 1, 42, u64::MAX] {
                let a = all_outputs(&mut Rng::with_seed(seed), lang);
                let b = all_outputs(&mut Rng::with_seed(seed), lang);
                assert_eq!(a, b);
            }
        }
        let a = all_outputs(&mut Rng::with_seed(1), Lang::Zh);
        let b = all_outputs(&mut Rng::with_seed(2), Lang::Zh);
        assert_ne!(a, b, "different seeds should differ");
    }

    #[test]
    fn leaf_codes_are_unique_and_cover_the_list() {
        for (i, a) in LEAVES.iter().enumerate() {
            assert_eq!(kind_of(a.code), a.kind.code(), "{}", a.code);
            assert!(LEAVES[i + 1..].iter().all(|b| b.code != a.code), "duplicate {}", a.code);
            for lang in [Lang::Zh, Lang::En] {
                assert!(a.subjects.get(lang).len() >= 3, "{} {lang:?}", a.code);
                assert!(a.details.get(lang).len() >= 3, "{} {lang:?}", a.code);
                if a.paired {
                    assert_eq!(a.subjects.get(lang).len(), a.details.get(lang).len(), "{} {lang:?}", a.code);
                }
            }
        }
        assert_eq!(LEAVES[22].code, "consultation.product");
        assert_eq!(LEAVES.iter().filter(|l| l.kind == Kind::Complaint).count(), 22);
    }

    #[test]
    fn every_category_yields_text() {
        let mut rng = Rng::with_seed(7);
        let all_products: Vec<&str> = PRODUCTS.iter().flat_map(|p| [p.zh, p.en]).chain(["", "Widget 9000"]).collect();
        for cat in categories() {
            for lang in [Lang::Zh, Lang::En] {
                for round in 0..200 {
                    let p = if round % 4 == 3 {
                        all_products[round % all_products.len()]
                    } else {
                        product(&mut rng, lang)
                    };
                    let (s, d) = ticket_text(&mut rng, lang, kind_of(cat), cat, p);
                    assert!(!s.trim().is_empty() && !d.trim().is_empty(), "{cat} {lang:?}");
                    assert!(s.chars().count() <= 250, "{cat}: {s}");
                    let n = d.chars().count();
                    let range = if lang == Lang::Zh { 40..=300 } else { 100..=420 };
                    assert!(range.contains(&n), "{cat} {lang:?} {n}: {d}");
                    for t in [&s, &d] {
                        assert!(!t.contains('{') && !t.contains('}'), "unrendered placeholder: {t}");
                        assert!(!t.contains("  "), "double space: {t}");
                        assert_eq!(t.trim(), t.as_str(), "stray whitespace: {t:?}");
                    }
                    if lang == Lang::En {
                        assert!(!s.starts_with(|c: char| c.is_ascii_lowercase()), "{s}");
                    }
                }
            }
        }
        // Unknown kinds and categories still produce something sensible.
        let (s, d) = ticket_text(&mut rng, Lang::Zh, "nonsense", "nope", "");
        assert!(!s.is_empty() && !d.is_empty());
        let (s, _) = ticket_text(&mut rng, Lang::En, "complaint", "complaint.parts", "X200 excavator");
        assert!(!s.is_empty());
    }

    #[test]
    fn branches_resolve_under_themselves() {
        let mut rng = Rng::with_seed(3);
        for _ in 0..100 {
            assert!(
                resolve_leaf(&mut rng, "complaint", "complaint.parts")
                    .code
                    .starts_with("complaint.parts.")
            );
            assert!(resolve_leaf(&mut rng, "complaint", "complaint").code.starts_with("complaint."));
            assert!(resolve_leaf(&mut rng, "after_sales", "bogus").code.starts_with("after_sales."));
            // Not a real branch: falls back to any leaf of the kind.
            assert!(resolve_leaf(&mut rng, "complaint", "complaint.part").code.starts_with("complaint."));
        }
        assert_eq!(resolve_leaf(&mut rng, "complaint", "after_sales.refund").code, "after_sales.refund");
    }

    #[test]
    fn chinese_has_han_and_english_has_none() {
        for seed in 0..300 {
            let mut rng = Rng::with_seed(seed);
            for s in all_outputs(&mut rng, Lang::Zh) {
                assert!(has_han(&s), "no Han in zh output: {s}");
            }
            for s in all_outputs(&mut rng, Lang::En) {
                assert!(!has_han(&s), "Han in en output: {s}");
                assert!(s.is_ascii(), "non-ASCII in en output: {s}");
            }
        }
    }

    #[test]
    fn names_and_organizations() {
        let mut rng = Rng::with_seed(11);
        let mut compound = false;
        for _ in 0..5000 {
            let zh = person_name(&mut rng, Lang::Zh);
            let n = zh.chars().count();
            assert!((2..=4).contains(&n) && zh.chars().all(is_han), "{zh}");
            compound |= n >= 3 && ZH_COMPOUND_SURNAMES.iter().any(|c| zh.starts_with(c));
            let en = person_name(&mut rng, Lang::En);
            assert!(!en.is_empty() && en.split(' ').count() == 2, "{en}");
            assert!(!organization(&mut rng, Lang::Zh).is_empty());
            assert!(!organization(&mut rng, Lang::En).is_empty());
        }
        assert!(compound, "compound surnames should appear now and then");
    }

    #[test]
    fn order_and_serial_numbers_look_right() {
        let mut s = String::new();
        push_order(&mut s, u64::MAX);
        assert_eq!(s.len(), 14);
        assert!(s.starts_with("DD202") && s[2..].bytes().all(|b| b.is_ascii_digit()), "{s}");
        let mut rng = Rng::with_seed(5);
        let (subject, _) = ticket_text(&mut rng, Lang::Zh, "consultation", "consultation.order", "智能手表 S3");
        if let Some(i) = subject.find("DD") {
            assert!(subject[i + 2..i + 14].bytes().all(|b| b.is_ascii_digit()), "{subject}");
        }
        let mut p = String::new();
        push_padded(&mut p, 42, 5);
        assert_eq!(p, "00042");
    }

    #[test]
    fn chinese_spacing_between_latin_and_han() {
        let mut rng = Rng::with_seed(9);
        let mut out = String::new();
        let mut cx = Ctx::new(&mut rng, Lang::Zh, "智能手表 S3");
        cx.render(&mut out, "买的{P}屏幕坏了，订单号{O}。");
        assert!(out.starts_with("买的智能手表 S3 屏幕坏了，订单号 DD"), "{out}");
        let mut out = String::new();
        let mut cx = Ctx::new(&mut rng, Lang::Zh, "X200 挖掘机");
        cx.render(&mut out, "{P}{F}");
        assert!(out.starts_with("X200 挖掘机") && !out.contains("挖掘机 "), "{out}");
    }

    #[test]
    fn replies_fit_the_kind() {
        let mut rng = Rng::with_seed(13);
        for _ in 0..200 {
            let r = agent_reply(&mut rng, Lang::Zh, "complaint");
            assert!(r.contains("抱歉") || r.contains("歉意"), "{r}");
            let r = agent_reply(&mut rng, Lang::En, "complaint");
            assert!(r.contains("sorry") || r.contains("apolog"), "{r}");
            for k in KINDS {
                assert!(!agent_reply(&mut rng, Lang::Zh, k).is_empty());
                assert!(!customer_follow_up(&mut rng, Lang::En).is_empty());
                assert!(!internal_note(&mut rng, Lang::Zh).is_empty());
            }
        }
    }
}
