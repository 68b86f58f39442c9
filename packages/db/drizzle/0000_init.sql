CREATE TABLE `admin` (
	`id` integer PRIMARY KEY NOT NULL,
	`password_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`password_changed_at` integer NOT NULL,
	CONSTRAINT "admin_singleton" CHECK("admin"."id" = 1)
);
--> statement-breakpoint
CREATE TABLE `audit_log` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text,
	`client_ip` text,
	`action` text NOT NULL,
	`target_type` text,
	`target_id` text,
	`detail` text
);
--> statement-breakpoint
CREATE INDEX `audit_log_at` ON `audit_log` (`at`);--> statement-breakpoint
CREATE TABLE `credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`value` blob,
	`value_updated_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_name_unique` ON `credentials` (`name`);--> statement-breakpoint
CREATE TABLE `executions` (
	`id` text PRIMARY KEY NOT NULL,
	`profile_id` text NOT NULL,
	`key_id` text NOT NULL,
	`status` text NOT NULL,
	`script` text NOT NULL,
	`signature_version` integer NOT NULL,
	`nonce` text,
	`timeout_seconds` integer NOT NULL,
	`stdout` text,
	`stderr` text,
	`result_json` text,
	`error` text,
	`execution_time_ms` integer,
	`redaction_counts` text,
	`client_ip` text,
	`created_at` integer NOT NULL,
	`started_at` integer,
	`completed_at` integer,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `executions_profile_created` ON `executions` (`profile_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `executions_status` ON `executions` (`status`);--> statement-breakpoint
CREATE INDEX `executions_created` ON `executions` (`created_at`);--> statement-breakpoint
CREATE TABLE `llm_exchanges` (
	`execution_id` text NOT NULL,
	`seq` integer NOT NULL,
	`prompt` text NOT NULL,
	`model` text NOT NULL,
	`response` text,
	`asked_at` integer NOT NULL,
	`answered_at` integer,
	PRIMARY KEY(`execution_id`, `seq`),
	FOREIGN KEY (`execution_id`) REFERENCES `executions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `meta` (
	`key` text PRIMARY KEY NOT NULL,
	`value` blob NOT NULL
);
--> statement-breakpoint
CREATE TABLE `nonces` (
	`key_id` text NOT NULL,
	`nonce` text NOT NULL,
	`execution_id` text NOT NULL,
	`expires_at` integer NOT NULL,
	PRIMARY KEY(`key_id`, `nonce`)
);
--> statement-breakpoint
CREATE INDEX `nonces_expires` ON `nonces` (`expires_at`);--> statement-breakpoint
CREATE TABLE `profile_credentials` (
	`profile_id` text NOT NULL,
	`credential_id` text NOT NULL,
	PRIMARY KEY(`profile_id`, `credential_id`),
	FOREIGN KEY (`profile_id`) REFERENCES `profiles`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`credential_id`) REFERENCES `credentials`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `profile_credentials_credential` ON `profile_credentials` (`credential_id`);--> statement-breakpoint
CREATE TABLE `profiles` (
	`id` text PRIMARY KEY NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`locked` integer DEFAULT false NOT NULL,
	`key_id` text,
	`secret` blob,
	`require_signature_v2` integer DEFAULT false NOT NULL,
	`expires_at` integer,
	`revoked` integer DEFAULT false NOT NULL,
	`locked_at` integer,
	`revoked_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `profiles_key_id_unique` ON `profiles` (`key_id`);--> statement-breakpoint
CREATE TABLE `requirements` (
	`name` text PRIMARY KEY NOT NULL,
	`spec` text NOT NULL,
	`installed_version` text,
	`installed_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`token_hash` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`client_ip` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sessions_token_hash_unique` ON `sessions` (`token_hash`);--> statement-breakpoint
CREATE INDEX `sessions_expires_at` ON `sessions` (`expires_at`);