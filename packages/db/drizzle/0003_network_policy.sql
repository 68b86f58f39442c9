ALTER TABLE `executions` ADD `network_log` text;--> statement-breakpoint
ALTER TABLE `profiles` ADD `network` text DEFAULT '{"mode":"none","allow":[]}' NOT NULL;