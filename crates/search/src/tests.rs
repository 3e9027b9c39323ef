//! The index end to end, in memory: what the analysis promises, seen through searches.

use crate::{Analysis, Doc, DocKind, SearchIndex, SearchRequest};
use serde_json::json;

fn article(id: i64, title: &str, body: &str) -> Doc {
    Doc {
        kind: DocKind::Article,
        id,
        title: title.to_owned(),
        body: body.to_owned(),
        private: String::new(),
        keys: vec!["audience:public".to_owned()],
        facets: vec![("category".to_owned(), if id % 2 == 0 { "returns" } else { "billing" }.to_owned())],
        created_ms: id * 1000,
        meta: json!({ "slug": format!("a{id}") }),
    }
}

fn index() -> SearchIndex {
    let index = SearchIndex::in_memory().unwrap();
    let docs = vec![
        article(1, "如何办理退换货", "收到商品七天内可以申请退换货，请保持包装完好。"),
        article(2, "申请退款流程", "在订单详情页点击申请退款，审核通过后三个工作日内原路退回。"),
        article(3, "发票开具说明", "电子发票在订单完成后自动发送到您的邮箱。"),
        article(
            4,
            "How to receive your invoice",
            "Invoices are sent by e-mail once the order is completed.",
        ),
        article(
            5,
            "Warranty terms for the Smartwatch S3",
            "The Smartwatch S3 has a two-year warranty covering manufacturing defects.",
        ),
        article(
            6,
            "手表无法充电怎么办",
            "智能手表 S3 充不进电时，请先清洁充电触点，再换一个 USB 电源适配器试试。",
        ),
        article(7, "Wi-Fi 连接失败", "扫地机器人 R7 只支持 2.4GHz 的 WiFi 网络。"),
        article(8, "退换货运费说明", "质量问题退换货的运费由我们承担。"),
    ];
    index.write(&docs, &[], "test").unwrap();
    index
}

fn search(index: &SearchIndex, text: &str) -> Vec<i64> {
    search_with(index, text, Analysis::Full)
}

fn search_with(index: &SearchIndex, text: &str, analysis: Analysis) -> Vec<i64> {
    let request = SearchRequest {
        text: text.to_owned(),
        kind: Some(DocKind::Article),
        limit: 10,
        analysis,
        ..SearchRequest::default()
    };
    index.search(&request).unwrap().hits.into_iter().map(|h| h.id).collect()
}

#[test]
fn a_word_segmented_differently_is_still_found() {
    let index = index();
    let hits = search(&index, "退货");
    assert!(hits.contains(&1), "退货 finds 如何办理退换货: {hits:?}");
    // Jieba alone does not find it: that is what the characters field is for.
    assert!(!search_with(&index, "退货", Analysis::WordsOnly).contains(&1));
    assert_eq!(search(&index, "退款").first(), Some(&2), "退款 finds 申请退款流程 first");
}

#[test]
fn traditional_full_width_and_mixed_queries_match() {
    let index = index();
    assert_eq!(search(&index, "發票").first(), Some(&3));
    assert_eq!(search(&index, "ＷｉＦｉ 连不上").first(), Some(&7));
    assert_eq!(search(&index, "S3 手表 充不进电").first(), Some(&6));
}

#[test]
fn english_is_stemmed_and_typos_are_forgiven() {
    let index = index();
    assert_eq!(search(&index, "invoices").first(), Some(&4));
    assert_eq!(search(&index, "warrenty").first(), Some(&5), "one edit away");
    let results = index
        .search(&SearchRequest {
            text: "recieve".to_owned(),
            kind: Some(DocKind::Article),
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(results.hits.first().map(|h| h.id), Some(4), "{results:?}");
}

#[test]
fn nothing_found_suggests_a_spelling() {
    let index = index();
    let results = index
        .search(&SearchRequest {
            text: "warrantyy smartwach".to_owned(),
            kind: Some(DocKind::Customer),
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(results.total, 0);
    assert_eq!(results.did_you_mean.as_deref(), Some("warranty smartwatch"));
}

#[test]
fn exact_and_title_matches_rank_first_and_fragments_are_highlighted() {
    let index = index();
    let results = index
        .search(&SearchRequest {
            text: "退换货".to_owned(),
            kind: Some(DocKind::Article),
            limit: 10,
            facets: vec!["category".to_owned()],
            ..SearchRequest::default()
        })
        .unwrap();
    let ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
    let mut first_two = ids[..2].to_vec();
    first_two.sort_unstable();
    assert_eq!(first_two, vec![1, 8], "both titles hold the word: {ids:?}");
    assert!(results.hits[0].snippet.contains("<b>"), "{}", results.hits[0].snippet);
    assert_eq!(results.facets.iter().map(|f| f.count).sum::<u64>(), results.total as u64);
}

#[test]
fn filters_and_private_text_decide_what_is_found() {
    let index = SearchIndex::in_memory().unwrap();
    let mut ticket = article(10, "打印机卡纸", "客户说打印机卡纸");
    ticket.kind = DocKind::Ticket;
    ticket.private = "内部备注：客户是经销商 VIP".to_owned();
    ticket.keys = vec!["visible:team:1".to_owned()];
    index.write(&[ticket], &[], "1").unwrap();
    let request = |text: &str, team: &str, private: bool| SearchRequest {
        text: text.to_owned(),
        kind: Some(DocKind::Ticket),
        all_of: vec![vec![format!("visible:team:{team}"), "visible:agent:9".to_owned()]],
        include_private: private,
        limit: 10,
        ..SearchRequest::default()
    };
    assert_eq!(index.search(&request("卡纸", "1", false)).unwrap().total, 1);
    assert_eq!(
        index.search(&request("卡纸", "2", false)).unwrap().total,
        0,
        "another team's ticket"
    );
    assert_eq!(
        index.search(&request("经销商", "1", false)).unwrap().total,
        0,
        "notes need include_private"
    );
    assert_eq!(index.search(&request("经销商", "1", true)).unwrap().total, 1);
    index.write(&[], &[(DocKind::Ticket, 10)], "2").unwrap();
    assert_eq!(index.search(&request("卡纸", "1", false)).unwrap().total, 0, "deleted");
    assert_eq!(index.checkpoint().unwrap().as_deref(), Some("2"));
}

#[test]
fn an_index_on_disk_keeps_its_checkpoint_and_documents() {
    let dir = tempfile::tempdir().unwrap();
    {
        let index = SearchIndex::open(dir.path()).unwrap();
        assert!(index.was_created());
        index.write(&[article(1, "如何办理退换货", "七天")], &[], "cursor-7").unwrap();
    }
    let index = SearchIndex::open(dir.path()).unwrap();
    assert!(!index.was_created());
    assert_eq!(index.checkpoint().unwrap().as_deref(), Some("cursor-7"));
    assert_eq!(search(&index, "退货"), vec![1]);
}

#[test]
fn without_text_the_filters_list_the_newest_first() {
    let index = index();
    let browse = |all_of: Vec<Vec<String>>, created_from: Option<i64>| {
        let request = SearchRequest {
            text: "  ".to_owned(),
            kind: Some(DocKind::Article),
            all_of,
            created_from,
            limit: 3,
            ..SearchRequest::default()
        };
        let results = index.search(&request).unwrap();
        (results.total, results.hits.into_iter().map(|h| h.id).collect::<Vec<_>>())
    };
    assert_eq!(browse(vec![], None), (8, vec![8, 7, 6]), "every article, newest first");
    assert_eq!(browse(vec![], Some(6_000)), (3, vec![8, 7, 6]));
    assert_eq!(browse(vec![vec!["audience:nobody".to_owned()]], None), (0, vec![]));
}

#[test]
fn single_characters_rank_but_match_alone_only_when_words_find_few() {
    // 20 holds one character of 退货; 21 holds both, apart (not a near phrase).
    let one_character = article(20, "货物已经发出", "物流单号已经更新。");
    let both_apart = article(21, "退回的商品已收到", "货款三天内到账。");
    let with_word = |id| article(id, "退货申请", "客户申请退货。");

    let many = SearchIndex::in_memory().unwrap();
    let mut docs: Vec<Doc> = (1..=12).map(with_word).collect();
    docs.extend([one_character.clone(), both_apart.clone()]);
    many.write(&docs, &[], "1").unwrap();
    let results = many
        .search(&SearchRequest {
            text: "退货".to_owned(),
            limit: 20,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(results.total, 12, "only the word's documents match: {results:?}");

    let few = SearchIndex::in_memory().unwrap();
    few.write(&[with_word(1), one_character, both_apart], &[], "1").unwrap();
    assert_eq!(
        search(&few, "退货"),
        vec![1, 21],
        "few word matches: most characters match too, ranked below; one character never does"
    );
}

#[test]
fn a_long_question_finds_an_article_on_two_characters_but_not_a_ticket() {
    // The question and the answer share two characters (晚, 赔), no word and no pair:
    // fewer than half the question's characters.
    let text = "航班延误怎样申请赔偿";
    let body = "因航空公司原因晚点的航班，可以申请赔偿。";
    let ticket = Doc {
        kind: DocKind::Ticket,
        id: 2,
        ..article(2, text, body)
    };
    let index = SearchIndex::in_memory().unwrap();
    index.write(&[article(1, text, body), ticket], &[], "1").unwrap();
    let question = "飞机晚了好久能赔吗";
    assert_eq!(search(&index, question), vec![1], "the help center answers with something");
    let tickets = index
        .search(&SearchRequest {
            text: question.to_owned(),
            kind: Some(DocKind::Ticket),
            limit: 10,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(tickets.total, 0, "a million tickets are not matched on two characters: {tickets:?}");
}

#[test]
fn synonyms_find_an_answer_written_in_other_words_but_rank_below_the_word_typed() {
    let index = index();
    assert_eq!(search(&index, "退钱").first(), Some(&2), "退钱 finds 申请退款流程");
    assert_eq!(search(&index, "guarantee").first(), Some(&5), "guarantee finds the warranty terms");
    let index = SearchIndex::in_memory().unwrap();
    index
        .write(
            &[article(1, "退款说明", "退款原路退回。"), article(2, "退钱说明", "退钱原路退回。")],
            &[],
            "1",
        )
        .unwrap();
    assert_eq!(search(&index, "退钱"), vec![2, 1], "the customer's own word first");
}

#[test]
fn a_one_character_query_finds_the_character_whatever_the_segmentation() {
    let index = SearchIndex::in_memory().unwrap();
    let docs = [
        article(1, "门锁坏了", "门锁打不开。"),
        article(2, "智能锁说明", "锁的电池没电了。"),
        article(3, "发票开具说明", "电子发票。"),
    ];
    index.write(&docs, &[], "1").unwrap();
    let mut hits = search(&index, "锁");
    hits.sort_unstable();
    assert_eq!(hits, vec![1, 2]);
}

#[test]
fn a_synonym_of_several_words_is_searched_as_a_phrase() {
    let index = SearchIndex::in_memory().unwrap();
    let docs = [
        article(1, "Getting your money back", "We pay the money back within 5 days."),
        article(2, "Back office hours", "Money questions go to the back office."),
    ];
    index.write(&docs, &[], "1").unwrap();
    assert_eq!(
        search(&index, "refund"),
        vec![1],
        "money back as a phrase, not money and back anywhere"
    );
}
