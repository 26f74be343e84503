//! Generates the VISES example data set, deterministically.
//!
//! ```sh
//! cargo run --example vises_data                      # writes examples/vises/
//! cargo run --example vises_data -- DIR 300 40         # 300 enterprises, 40 persons each
//! ```
//!
//! Three territories, enterprises of the three VISES groups, and persons of
//! every status. The enterprise table is a French spreadsheet export
//! (semicolons, decimal commas, `%` signs, `nsp`); the person table is a
//! survey-tool export (group prefixes such as `vous/statut`, `oui`/`Non`,
//! blanks, `_uuid` and `_index` columns, no person key).

use std::fmt::Write as _;

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

const TERRITORIES: &[&str] = &["lille_metropole", "hainaut", "westhoek"];
const GROUPS: &[&str] = &["insertion", "services", "autres"];

fn decimal(x: f64) -> String {
    format!("{x:.1}").replace('.', ",")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir =
        std::path::PathBuf::from(args.first().map(String::as_str).unwrap_or("examples/vises"));
    let enterprises: usize = args.get(1).and_then(|x| x.parse().ok()).unwrap_or(15);
    let persons: u64 = args.get(2).and_then(|x| x.parse().ok()).unwrap_or(20);
    std::fs::create_dir_all(&dir).expect("output folder");
    let mut rng = Rng(0x5EED_2019_0000_0001);

    let mut e = String::from(
        "entreprise;territoire;groupe;forme_juridique;secteur;mission;etp;benevoles;recettes_ventes;subsides;dons;\
fonds_propres_mois;emplois_crees;part_cdi;achats_locaux;personnes_accompagnees;sorties_positives;sorties_total;\
heures_formation;salaire_max;salaire_min;rotation;prix_adaptes;usagers_vulnerables;delai_attente;\
une_personne_une_voix;ag_membres;ag_presents;travailleurs_ca;membres_ca;femmes_ca;jeunes_ca;comptes_partages;\
excedents_reinvestis;reseaux_ess;actions_plaidoyer;politique_env;ges_tco2;dechets_t;reemploi_t;sensibilisation;\
travailleurs_territoire;zone_prioritaire;partenariats;mutualisations;service_nouveau;circuits_courts\n",
    );
    let mut groups = Vec::new();
    for k in 0..enterprises {
        let id = format!("E{:02}", k + 1);
        let territory = TERRITORIES[k % TERRITORIES.len()];
        let group = GROUPS[(k / TERRITORIES.len()) % GROUPS.len()];
        groups.push((id.clone(), group));
        let forme = rng.pick(&["asbl", "cooperative", "societe", "ASBL / association"]);
        let secteur = match group {
            "insertion" => rng.pick(&["recyclage", "batiment", "alimentation"]),
            "services" => "aide_personnes",
            _ => rng.pick(&["culture", "alimentation", "autre"]),
        };
        let etp = 4.0 + rng.below(60) as f64 + rng.below(10) as f64 / 10.0;
        let ventes = 50_000 + rng.below(900_000);
        let subsides = 20_000 + rng.below(400_000);
        let dons = rng.below(30_000);
        let sorties_total = if group == "insertion" {
            5 + rng.below(30)
        } else {
            0
        };
        let sorties_pos = if group == "insertion" {
            rng.below(sorties_total + 1)
        } else {
            0
        };
        let ag_membres = 10 + rng.below(150);
        let membres_ca = 5 + rng.below(8);
        let salaire_min = 1_600 + rng.below(300);
        let fp = if rng.chance(10) {
            "nsp".to_string()
        } else {
            decimal(rng.below(90) as f64 / 10.0)
        };
        let yn = |r: &mut Rng| if r.chance(60) { "oui" } else { "non" };
        let services = group == "services";
        let _ = writeln!(
            e,
            "{id};{territory};{group};{forme};{secteur};\"Améliorer la vie de nos publics ({group})\";{};{};{ventes};{subsides};{dons};{fp};{};{}%;{}%;{};{};{};{};{};{salaire_min};{}%;{};{};{};{};{ag_membres};{};{};{membres_ca};{};{};{};{}%;{};{};{};{};{};{};{};{}%;{};{};{};{};{}",
            decimal(etp),
            rng.below(40),
            decimal(rng.below(150) as f64 / 10.0),
            40 + rng.below(60),
            10 + rng.below(70),
            20 + rng.below(200),
            if group == "insertion" {
                sorties_pos.to_string()
            } else {
                String::new()
            },
            if group == "insertion" {
                sorties_total.to_string()
            } else {
                String::new()
            },
            rng.below(2_000),
            salaire_min + 500 + rng.below(3_000),
            rng.below(35),
            if services { yn(&mut rng) } else { "" },
            if services {
                format!("{}%", 30 + rng.below(70))
            } else {
                String::new()
            },
            if services {
                rng.below(120).to_string()
            } else {
                String::new()
            },
            yn(&mut rng),
            rng.below(ag_membres + 1),
            yn(&mut rng),
            rng.below(membres_ca + 1),
            rng.below(membres_ca / 2 + 1),
            yn(&mut rng),
            50 + rng.below(51),
            rng.below(4),
            rng.below(14),
            yn(&mut rng),
            decimal(rng.below(400) as f64 / 10.0),
            decimal(rng.below(200) as f64 / 10.0),
            if secteur == "recyclage" {
                rng.below(300).to_string()
            } else {
                rng.below(20).to_string()
            },
            rng.below(15),
            30 + rng.below(70),
            yn(&mut rng),
            rng.below(12),
            rng.below(4),
            yn(&mut rng),
            if rng.chance(15) {
                "nsp".to_string()
            } else {
                format!("{}%", rng.below(60))
            },
        );
    }
    std::fs::write(dir.join("entreprises.csv"), e).expect("written");

    let testimonies = [
        "J'ai repris confiance en moi.",
        "Je me lève le matin avec une raison.",
        "On m'a aidé à remplir mes papiers, maintenant je le fais seul.",
        "J'ai trouvé une formation de cariste.",
        "Ici on m'écoute.",
    ];
    let participation = [
        "On vote en assemblée.",
        "Je donne mon avis en réunion d'équipe.",
        "Je siège au conseil.",
    ];
    let partners = [
        "Un acteur incontournable du quartier.",
        "Ils ont ouvert un service qui manquait.",
        "Un partenaire fiable pour nos projets.",
    ];
    let mut p = String::from(
        "_index,_uuid,identification/entreprise,vous/statut,vous/sexe,ressenti/confiance,ressenti/autonomie,ressenti/sens,\
ressenti/nouvelles_relations,ressenti/participation,ressenti/contribution_locale,paroles/temoignage,\
paroles/parole_participation,paroles/avis_partenaire,_submission_time\n",
    );
    let mut index = 0;
    for (id, group) in &groups {
        let n = persons / 2 + rng.below(persons + 1);
        for _ in 0..n {
            index += 1;
            let statut = match (group, rng.below(10)) {
                (_, 0) => "partenaire",
                (_, 1) => "benevole",
                (&"insertion", 2..=7) => "insertion",
                (&"services", 2..=7) => "accompagne",
                (_, 2..=4) => "salarie",
                _ => rng.pick(&["salarie", "accompagne"]),
            };
            let likert = |rng: &mut Rng, skew: u64| {
                if rng.chance(6) {
                    return String::new();
                }
                if rng.chance(3) {
                    return "nsp".into();
                }
                (1 + (rng.below(5) + skew).min(4)).to_string()
            };
            let sexe = rng.pick(&["f", "f", "h", "h", "x", ""]);
            let beneficiary = matches!(statut, "insertion" | "accompagne");
            let worker = matches!(statut, "insertion" | "salarie");
            let partner = statut == "partenaire";
            let confiance = if beneficiary {
                likert(&mut rng, 1)
            } else {
                String::new()
            };
            let autonomie = if beneficiary {
                likert(&mut rng, 0)
            } else {
                String::new()
            };
            let sens = if worker {
                likert(&mut rng, 1)
            } else {
                String::new()
            };
            let relations = if partner {
                ""
            } else {
                rng.pick(&["oui", "Oui", "non", "NON", ""])
            };
            let participation_s = if partner {
                String::new()
            } else {
                likert(&mut rng, 0)
            };
            let contribution = if partner {
                likert(&mut rng, 2)
            } else {
                String::new()
            };
            let temoignage = if beneficiary && rng.chance(25) {
                rng.pick(&testimonies)
            } else {
                ""
            };
            let parole = if worker && rng.chance(20) {
                rng.pick(&participation)
            } else {
                ""
            };
            let avis = if partner && rng.chance(70) {
                rng.pick(&partners)
            } else {
                ""
            };
            let _ = writeln!(
                p,
                "{index},{:016x}-{:04x},{id},{statut},{sexe},{confiance},{autonomie},{sens},{relations},{participation_s},{contribution},\"{temoignage}\",\"{parole}\",\"{avis}\",2019-0{}-1{}T10:00:00",
                rng.next(),
                rng.below(0xffff),
                1 + rng.below(9),
                rng.below(10),
            );
        }
    }
    std::fs::write(dir.join("personnes.csv"), p).expect("written");
    println!(
        "wrote {} ({} enterprises, {} persons)",
        dir.display(),
        groups.len(),
        index
    );
}
