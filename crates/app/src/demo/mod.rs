//! Demo data: a workspace (teams, agents, an admin with a token) and as many customers and
//! bilingual tickets as asked for, with replies, notes, transfers and resolutions spread
//! over the last 90 days with daily and weekly seasonality. Deterministic for a seed
//! (given the same starting database and day), and fast: rows are generated in memory and
//! bulk-loaded in large transactions. The first fill also writes the demo knowledge
//! base ([`kb`]).

pub mod corpus;
mod generate;
pub mod kb;
mod surveys;

use crate::error::{AppError, AppResult};
use crate::people::NewAgentCommand;
use crate::{App, now};
use corpus::Lang;
use fastrand::Rng;
use kefu_domain::contact::Email;
use kefu_domain::entities::Id;
use kefu_domain::enums::Role;
use kefu_store::{bulk, people as store};

/// How much to make.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub tickets: usize,
    /// Default: a fifth of the tickets, at least 50.
    pub customers: Option<usize>,
    /// Satisfaction answers to add beyond those about the demo tickets, spread over the
    /// last two years (for report benchmarks).
    pub survey_answers: usize,
    pub seed: u64,
}

/// What the demo made, and how to sign in.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub tickets: usize,
    pub customers: usize,
    /// Knowledge-base articles added (only by the first fill).
    pub articles: usize,
    pub admin_email: String,
    pub admin_password: String,
    pub token: String,
}

pub const ADMIN_EMAIL: &str = "admin@kefu.demo";
pub const ADMIN_PASSWORD: &str = "kefu-demo-admin";

/// The demo's teams: the departments tickets flow between (DOMAIN.md).
const TEAMS: &[(&str, &str)] = &[
    (
        "客服部 Customer Service",
        "一线客服：咨询、投诉受理与跟踪 / First line: questions and complaints",
    ),
    ("技术支持 Technical Support", "设备与软件故障排查 / Equipment and software faults"),
    ("物流 Logistics", "发货、退换货与配件运输 / Shipping, returns and parts"),
    ("财务 Finance", "退款、账单与发票 / Refunds, billing and invoices"),
    ("研发 R&D", "产品缺陷与改进建议 / Product defects and suggestions"),
    ("市场 Marketing", "活动与渠道 / Campaigns and channels"),
    (
        "上门服务 Field Service",
        "工程师上门安装、维修与保养 / On-site installation and repair",
    ),
];

/// Agents per team in the demo.
const AGENTS_PER_TEAM: usize = 5;

/// Tickets generated and loaded per transaction.
const CHUNK: usize = 10_000;

impl App {
    /// Fills the database with a demo workspace and `options.tickets` tickets.
    pub async fn fill_demo(&self, options: DemoOptions) -> AppResult<DemoSummary> {
        let mut rng = Rng::with_seed(options.seed);
        let workspace = self.ensure_demo_workspace(&mut rng).await;
        // Its teams and agents were written past the use cases that forget the lists.
        self.lists.invalidate_all();
        let (teams, agents) = workspace?;
        let token = self.create_token_for(ADMIN_EMAIL).await?;
        let admin = Email::parse("email", ADMIN_EMAIL).map_err(|e| AppError::Internal(e.message))?;
        let admin_id = store::agent_by_email(self.db().read(), &admin).await?.map(|a| a.id);
        let articles = match admin_id {
            Some(owner) => self.load_demo_knowledge_base(owner).await?,
            None => 0,
        };
        let customers = options.customers.unwrap_or((options.tickets / 5).max(50));

        let db = self.db();
        let mut ids = generate::Ids {
            customer: bulk::max_id(db.read(), "customers").await?,
            ticket: bulk::max_id(db.read(), "tickets").await?,
            message: bulk::max_id(db.read(), "messages").await?,
            event: bulk::max_id(db.read(), "ticket_events").await?,
            number: bulk::last_ticket_number(db.read()).await?,
        };
        let mut survey_ids = surveys::SurveyIds {
            send: bulk::max_id(db.read(), "survey_sends").await?,
            answer: bulk::max_id(db.read(), "survey_answers").await?,
        };
        let survey_world = self.demo_survey_world().await?;
        let first_customer = ids.customer + 1;
        let world = generate::World {
            teams,
            agents,
            first_customer,
            customers,
            now_ms: now().as_millisecond(),
        };

        let mut made = 0;
        while made < customers {
            let n = CHUNK.min(customers - made);
            let rows = generate::customers(&mut rng, &mut ids, n, world.now_ms);
            bulk::load(db, vec![rows]).await?;
            made += n;
        }
        // Generation runs on its own thread, one chunk ahead of the loader: the two cores
        // generate and write at the same time.
        let (chunks, mut ready) = tokio::sync::mpsc::channel(1);
        let tickets = options.tickets;
        let extra_answers = options.survey_answers;
        let first_ticket = ids.ticket + 1;
        let generator = tokio::task::spawn_blocking(move || {
            for created in generate::creation_times(&mut rng, tickets, world.now_ms).chunks(CHUNK) {
                let (mut tables, resolved) = generate::tickets(&mut rng, &mut ids, &world, created);
                tables.extend(surveys::rows(
                    &mut rng,
                    &mut survey_ids,
                    &survey_world,
                    &resolved,
                    surveys::TICKET_SURVEYS,
                ));
                if chunks.blocking_send(tables).is_err() {
                    break;
                }
            }
            let last_ticket = ids.ticket;
            let mut left = if last_ticket >= first_ticket { extra_answers } else { 0 };
            while left > 0 {
                let n = left.min(CHUNK * 5);
                left -= n;
                let facts = surveys::history(&mut rng, &world, n, (first_ticket, last_ticket));
                let tables = surveys::rows(&mut rng, &mut survey_ids, &survey_world, &facts, surveys::EVERY_ONE);
                if chunks.blocking_send(tables).is_err() {
                    break;
                }
            }
        });
        while let Some(tables) = ready.recv().await {
            bulk::load(db, tables).await?;
        }
        generator
            .await
            .map_err(|e| AppError::Internal(format!("demo generator failed: {e}")))?;
        // The loader bypasses the commands that keep each agent's load for routing, the
        // inbox counts and the survey rollups.
        db.write(|tx| {
            Box::pin(async move {
                bulk::recount_open_tickets(tx.exec()).await?;
                kefu_store::inbox_counts::rebuild_inbox_counts(tx.exec()).await?;
                kefu_store::survey_rollups::rebuild(tx).await?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
        Ok(DemoSummary {
            tickets: options.tickets,
            customers,
            articles,
            admin_email: ADMIN_EMAIL.into(),
            admin_password: ADMIN_PASSWORD.into(),
            token,
        })
    }

    /// What demo survey answers refer to: the built-in CSAT and five-dimension designs
    /// and the agents' names.
    async fn demo_survey_world(&self) -> AppResult<surveys::SurveyWorld> {
        let read = self.db().read();
        let design = |key: &'static str| async move {
            kefu_store::surveys::latest_design(self.db().read(), key)
                .await?
                .ok_or_else(|| AppError::Internal(format!("built-in survey design {key} missing")))
        };
        let csat = design(kefu_domain::survey::builtin::CSAT).await?;
        let service = design(kefu_domain::survey::builtin::SERVICE).await?;
        let agent_names = store::list_agents(read).await?.into_iter().map(|a| (a.id, a.name)).collect();
        Ok(surveys::SurveyWorld {
            csat,
            service,
            agent_names,
            now_ms: now().as_millisecond(),
        })
    }

    /// Creates the demo teams and agents that do not exist yet; returns the team ids and,
    /// per team, its agents' ids.
    async fn ensure_demo_workspace(&self, rng: &mut Rng) -> AppResult<(Vec<Id>, Vec<Vec<Id>>)> {
        let admin = Email::parse("email", ADMIN_EMAIL).map_err(|e| AppError::Internal(e.message))?;
        if store::agent_by_email(self.db().read(), &admin).await?.is_none() {
            let command = NewAgentCommand {
                email: ADMIN_EMAIL.into(),
                name: "演示管理员 Demo Admin".into(),
                role: Role::Admin.as_str().into(),
                teams: vec![],
                password: Some(ADMIN_PASSWORD.into()),
            };
            self.create_agent_as_operator(command).await?;
        }
        let mut team_ids = Vec::new();
        let mut members = Vec::new();
        for (index, (name, description)) in TEAMS.iter().enumerate() {
            let team_id = match store::team_by_name(self.db().read(), name).await? {
                Some(team) => team.id,
                None => {
                    let (name, description) = (name.to_string(), description.to_string());
                    self.db()
                        .write(move |tx| {
                            Box::pin(async move {
                                store::insert_team(tx.exec(), &name, &description, None, now())
                                    .await
                                    .map_err(AppError::from)
                            })
                        })
                        .await?
                }
            };
            let mut agents = Vec::new();
            for n in 0..AGENTS_PER_TEAM {
                let email = format!("agent{:02}@kefu.demo", index * AGENTS_PER_TEAM + n + 1);
                let parsed = Email::parse("email", &email).map_err(|e| AppError::Internal(e.message))?;
                let id = match store::agent_by_email(self.db().read(), &parsed).await? {
                    Some(agent) => agent.id,
                    None => {
                        let lang = if n % 3 == 2 { Lang::En } else { Lang::Zh };
                        let role = if n == 0 { Role::Supervisor } else { Role::Agent };
                        let command = NewAgentCommand {
                            email,
                            name: corpus::person_name(rng, lang),
                            role: role.as_str().into(),
                            teams: vec![name.to_string()],
                            password: None,
                        };
                        self.create_agent_as_operator(command).await?.id
                    }
                };
                agents.push(id);
            }
            if let Some(lead) = agents.first().copied() {
                let mut team = store::team_by_id(self.db().read(), team_id)
                    .await?
                    .ok_or_else(|| AppError::Internal("team vanished".into()))?;
                if team.lead_agent_id.is_none() {
                    team.lead_agent_id = Some(lead);
                    self.db()
                        .write(move |tx| Box::pin(async move { store::update_team(tx.exec(), &team, now()).await.map_err(AppError::from) }))
                        .await?;
                }
            }
            team_ids.push(team_id);
            members.push(agents);
        }
        Ok((team_ids, members))
    }
}
