//! Runs every conformance case on SQLite and on PostgreSQL.

macro_rules! conformance {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $case() {
                    let t = ttdz_conformance::backends::sqlite().await;
                    ttdz_conformance::cases::$case(t.store()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $case() {
                    let Some(t) = ttdz_conformance::backends::postgres().await else { return };
                    ttdz_conformance::cases::$case(t.store()).await;
                    t.cleanup().await;
                }
            )*
        }
    };
}

conformance!(
    ping_answers,
    migrate_loads_the_shipped_reference_data,
    migrate_twice_changes_nothing,
    population_is_stored_exactly_with_its_dataset,
    indicator_factors_are_exact_decimals,
    zones_resolve_and_keep_member_order,
    a_new_vintage_is_added_beside_the_old,
    demo_figures_load_once_and_exactly,
    a_batch_replaces_its_own_earlier_contribution_and_the_newest_report_wins,
    registry_batches_add_up_and_keep_their_roll_ups_by_type,
    a_failed_batch_leaves_nothing_behind,
    accounts_sessions_and_login_failures,
    writes_leave_an_audit_trail,
    zones_move_through_the_procedure_one_version_at_a_time,
    annual_reports_keep_their_values_and_versions,
    policies_checks_and_experience_round_trip,
    a_batch_is_replaced_only_by_its_province_or_a_national_writer,
    a_migrated_store_has_no_pending_migrations,
    every_write_appends_to_the_audit_trail,
    the_change_log_follows_every_write,
    concurrent_writers_never_make_a_reader_skip_or_repeat,
    documents_are_kept_whole_with_their_checksums,
    grades_keep_one_per_expert_and_row,
    information_records_are_versioned_filtered_and_followed,
    a_register_change_rewrites_its_counts_at_once,
    a_listing_takes_bids_in_turn_and_a_deal_files_its_contract,
    the_live_batch_is_what_the_registered_contracts_make,
    registration_numbers_continue_after_every_number_in_use,
    a_contract_a_registry_file_counts_is_not_registered_again,
);

/// Says, in every test run, whether the PostgreSQL half ran (the nextest profile shows this test's output even
/// when it passes). Fails under CI=true when no server is configured.
#[test]
fn postgres_half() {
    if ttdz_conformance::backends::postgres_url().is_some() {
        eprintln!("PostgreSQL half: running against the server named by TTDZ_TEST_PG_URL");
    }
}
