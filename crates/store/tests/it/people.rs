//! Agents, teams, memberships and API tokens.

use crate::support::{agent, at, email, team, write_one};
use kefu_domain::enums::{Presence, Role};
use kefu_store::people::{
    NewAgent, agent_by_email, agent_by_id, agent_by_token, count_agents, insert_agent, insert_team, insert_token, list_agents, list_teams,
    password_hash, set_agent_teams, team_by_id, team_by_name, update_agent, update_team,
};
use kefu_store::{Db, StoreError};

backend_tests!(
    agent_insert_and_lookups,
    agent_update_writes_editable_fields,
    agent_email_is_unique,
    memberships_are_replaced_as_a_set,
    membership_needs_existing_team_and_agent,
    teams_insert_lookup_update,
    team_name_is_unique,
    password_hash_only_for_active_agents_with_one,
    tokens_find_their_active_agent,
);

fn new_agent(mail: &str) -> NewAgent {
    NewAgent {
        email: email(mail),
        name: "李娜".into(),
        role: Role::Supervisor,
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        skills: vec!["billing".into(), "打印机".into()],
        languages: vec!["zh-CN".into(), "en".into()],
        capacity: 7,
    }
}

async fn agent_insert_and_lookups(db: Db) {
    assert_eq!(count_agents(db.read()).await.unwrap(), 0);
    let new = new_agent("Li.Na@Example.com");
    let id = write_one(&db, move |tx| Box::pin(async move { insert_agent(tx.exec(), &new, at(3)).await }))
        .await
        .unwrap();

    let stored = agent_by_id(db.read(), id).await.unwrap().expect("stored");
    assert_eq!(stored.id, id);
    assert_eq!(stored.email.as_str(), "li.na@example.com");
    assert_eq!(stored.name, "李娜");
    assert_eq!(stored.role, Role::Supervisor);
    assert_eq!(stored.skills, vec!["billing", "打印机"]);
    assert_eq!(stored.languages, vec!["zh-CN", "en"]);
    assert_eq!(stored.capacity, 7);
    // A new agent starts offline and active, in no team.
    assert_eq!(stored.presence, Presence::Offline);
    assert!(stored.active);
    assert!(stored.teams.is_empty());
    assert_eq!(stored.created_at, at(3));

    assert_eq!(
        agent_by_email(db.read(), &email("li.na@example.com")).await.unwrap(),
        Some(stored.clone())
    );
    assert_eq!(agent_by_email(db.read(), &email("nobody@example.com")).await.unwrap(), None);
    assert_eq!(agent_by_id(db.read(), id + 99).await.unwrap(), None);

    let second = agent(&db, "second@example.com").await;
    assert_eq!(count_agents(db.read()).await.unwrap(), 2);
    let all = list_agents(db.read()).await.unwrap();
    assert_eq!(all.iter().map(|a| a.id).collect::<Vec<_>>(), vec![id, second], "by id");
    assert_eq!(all[0], stored);

    // Reads inside a write see the same thing (the Exec of a transaction).
    let inside = write_one(&db, move |tx| Box::pin(async move { agent_by_id(tx.exec(), id).await }))
        .await
        .unwrap();
    assert_eq!(inside, Some(stored));
}

async fn agent_update_writes_editable_fields(db: Db) {
    let id = agent(&db, "ed@example.com").await;
    let bystander = agent(&db, "by@example.com").await;
    let before_bystander = agent_by_id(db.read(), bystander).await.unwrap();
    let mut edited = agent_by_id(db.read(), id).await.unwrap().unwrap();
    edited.name = "Ed Edited".into();
    edited.role = Role::Admin;
    edited.skills = vec!["chat".into()];
    edited.languages = vec!["en".into()];
    edited.presence = Presence::Away;
    edited.capacity = 3;
    edited.active = false;
    let write = edited.clone();
    write_one(&db, move |tx| {
        Box::pin(async move { update_agent(tx.exec(), &write, at(99)).await })
    })
    .await
    .unwrap();

    assert_eq!(agent_by_id(db.read(), id).await.unwrap(), Some(edited));
    assert_eq!(agent_by_id(db.read(), bystander).await.unwrap(), before_bystander);
}

async fn agent_email_is_unique(db: Db) {
    agent(&db, "taken@example.com").await;
    let new = new_agent("TAKEN@example.com");
    let result = write_one(&db, move |tx| Box::pin(async move { insert_agent(tx.exec(), &new, at(0)).await })).await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    assert_eq!(count_agents(db.read()).await.unwrap(), 1);
}

async fn memberships_are_replaced_as_a_set(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let b = agent(&db, "b@example.com").await;
    let (t1, t2, t3) = (
        team(&db, "一线", &[]).await,
        team(&db, "二线", &[]).await,
        team(&db, "VIP", &[]).await,
    );

    let set = |agent_id, teams: Vec<i64>| {
        let db = db.clone();
        async move {
            write_one(&db, move |tx| {
                Box::pin(async move { set_agent_teams(tx.exec(), agent_id, &teams).await })
            })
            .await
            .unwrap()
        }
    };
    set(a, vec![t3, t1]).await;
    set(b, vec![t1]).await;
    assert_eq!(
        agent_by_id(db.read(), a).await.unwrap().unwrap().teams,
        vec![t1, t3],
        "sorted by team id"
    );

    set(a, vec![t2]).await;
    assert_eq!(
        agent_by_id(db.read(), a).await.unwrap().unwrap().teams,
        vec![t2],
        "old memberships are removed"
    );
    assert_eq!(
        agent_by_id(db.read(), b).await.unwrap().unwrap().teams,
        vec![t1],
        "other agents keep theirs"
    );

    let teams = list_teams(db.read()).await.unwrap();
    let members: Vec<(i64, Vec<i64>)> = teams.iter().map(|t| (t.id, t.members.clone())).collect();
    assert_eq!(members, vec![(t1, vec![b]), (t2, vec![a]), (t3, vec![])]);
    let agents = list_agents(db.read()).await.unwrap();
    assert_eq!(
        agents.iter().map(|x| (x.id, x.teams.clone())).collect::<Vec<_>>(),
        vec![(a, vec![t2]), (b, vec![t1])]
    );

    set(a, vec![]).await;
    assert!(agent_by_id(db.read(), a).await.unwrap().unwrap().teams.is_empty());
    assert_eq!(team_by_id(db.read(), t2).await.unwrap().unwrap().members, Vec::<i64>::new());
}

async fn membership_needs_existing_team_and_agent(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let t = team(&db, "T", &[a]).await;
    let result = write_one(&db, move |tx| {
        Box::pin(async move { set_agent_teams(tx.exec(), a, &[t, t + 1000]).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
    // The failed command is undone as a whole: the delete before the bad insert too.
    assert_eq!(agent_by_id(db.read(), a).await.unwrap().unwrap().teams, vec![t]);

    let result = write_one(&db, move |tx| {
        Box::pin(async move { set_agent_teams(tx.exec(), a + 1000, &[t]).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");
}

async fn teams_insert_lookup_update(db: Db) {
    let lead = agent(&db, "lead@example.com").await;
    let id = write_one(&db, move |tx| {
        Box::pin(async move { insert_team(tx.exec(), "售后组", "After-sales desk", Some(lead), at(7)).await })
    })
    .await
    .unwrap();
    let stored = team_by_id(db.read(), id).await.unwrap().expect("stored");
    assert_eq!(stored.name, "售后组");
    assert_eq!(stored.description, "After-sales desk");
    assert_eq!(stored.lead_agent_id, Some(lead));
    assert!(stored.members.is_empty());
    assert_eq!(stored.created_at, at(7));
    assert_eq!(team_by_name(db.read(), "售后组").await.unwrap(), Some(stored.clone()));
    assert_eq!(team_by_name(db.read(), "售后").await.unwrap(), None);
    assert_eq!(team_by_id(db.read(), id + 1).await.unwrap(), None);

    let mut edited = stored.clone();
    edited.name = "After-sales".into();
    edited.description = String::new();
    edited.lead_agent_id = None;
    let write = edited.clone();
    write_one(&db, move |tx| Box::pin(async move { update_team(tx.exec(), &write, at(8)).await }))
        .await
        .unwrap();
    assert_eq!(team_by_id(db.read(), id).await.unwrap(), Some(edited.clone()));
    assert_eq!(team_by_name(db.read(), "售后组").await.unwrap(), None);
    assert_eq!(list_teams(db.read()).await.unwrap(), vec![edited]);
}

async fn team_name_is_unique(db: Db) {
    team(&db, "Tier 1", &[]).await;
    let result = write_one(&db, |tx| {
        Box::pin(async move { insert_team(tx.exec(), "Tier 1", "again", None, at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");

    let other = team(&db, "Tier 2", &[]).await;
    let mut renamed = team_by_id(db.read(), other).await.unwrap().unwrap();
    renamed.name = "Tier 1".into();
    let result = write_one(&db, move |tx| {
        Box::pin(async move { update_team(tx.exec(), &renamed, at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
}

async fn password_hash_only_for_active_agents_with_one(db: Db) {
    let new = new_agent("pw@example.com");
    let hash = new.password_hash.clone().unwrap();
    let id = write_one(&db, move |tx| Box::pin(async move { insert_agent(tx.exec(), &new, at(0)).await }))
        .await
        .unwrap();
    assert_eq!(password_hash(db.read(), &email("PW@example.com")).await.unwrap(), Some((id, hash)));
    assert_eq!(password_hash(db.read(), &email("other@example.com")).await.unwrap(), None);

    // An agent without a password (SSO, invited) has no hash to check against.
    agent(&db, "nopw@example.com").await;
    assert_eq!(password_hash(db.read(), &email("nopw@example.com")).await.unwrap(), None);

    // Deactivated agents cannot sign in.
    let mut stored = agent_by_id(db.read(), id).await.unwrap().unwrap();
    stored.active = false;
    write_one(&db, move |tx| {
        Box::pin(async move { update_agent(tx.exec(), &stored, at(1)).await })
    })
    .await
    .unwrap();
    assert_eq!(password_hash(db.read(), &email("pw@example.com")).await.unwrap(), None);
}

async fn tokens_find_their_active_agent(db: Db) {
    let a = agent(&db, "a@example.com").await;
    let b = agent(&db, "b@example.com").await;
    write_one(&db, move |tx| {
        Box::pin(async move {
            insert_token(tx.exec(), a, "hash-a1", at(0)).await?;
            insert_token(tx.exec(), a, "hash-a2", at(0)).await?;
            insert_token(tx.exec(), b, "hash-b", at(0)).await
        })
    })
    .await
    .unwrap();
    assert_eq!(agent_by_token(db.read(), "hash-a1").await.unwrap(), Some(a));
    assert_eq!(agent_by_token(db.read(), "hash-a2").await.unwrap(), Some(a));
    assert_eq!(agent_by_token(db.read(), "hash-b").await.unwrap(), Some(b));
    assert_eq!(agent_by_token(db.read(), "hash-unknown").await.unwrap(), None);

    // Token hashes are unique; a token needs an existing agent.
    let result = write_one(&db, move |tx| {
        Box::pin(async move { insert_token(tx.exec(), b, "hash-a1", at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::Conflict(_))), "{result:?}");
    let result = write_one(&db, move |tx| {
        Box::pin(async move { insert_token(tx.exec(), b + 1000, "hash-x", at(0)).await })
    })
    .await;
    assert!(matches!(result, Err(StoreError::MissingReference(_))), "{result:?}");

    // A deactivated agent's tokens stop working.
    let mut stored = agent_by_id(db.read(), a).await.unwrap().unwrap();
    stored.active = false;
    write_one(&db, move |tx| {
        Box::pin(async move { update_agent(tx.exec(), &stored, at(1)).await })
    })
    .await
    .unwrap();
    assert_eq!(agent_by_token(db.read(), "hash-a1").await.unwrap(), None);
    assert_eq!(agent_by_token(db.read(), "hash-b").await.unwrap(), Some(b));
}
