ALTER TABLE `executions` ADD `history_bytes` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `executions` ADD `pruned_at` integer;--> statement-breakpoint
CREATE INDEX `executions_unpruned` ON `executions` (`pruned_at`,`created_at`);--> statement-breakpoint
UPDATE `executions` SET `history_bytes` =
  length(CAST(`script` AS BLOB))
  + coalesce(length(CAST(`stdout` AS BLOB)), 0)
  + coalesce(length(CAST(`stderr` AS BLOB)), 0)
  + coalesce(length(CAST(`result_json` AS BLOB)), 0)
  + coalesce(length(CAST(`error` AS BLOB)), 0)
  + coalesce((SELECT sum(length(CAST(`prompt` AS BLOB)) + length(CAST(`model` AS BLOB)) + coalesce(length(CAST(`response` AS BLOB)), 0))
      FROM `llm_exchanges` WHERE `llm_exchanges`.`execution_id` = `executions`.`id`), 0);
