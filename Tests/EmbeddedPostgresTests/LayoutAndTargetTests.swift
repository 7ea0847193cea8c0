import Foundation
import Testing

@testable import EmbeddedPostgres

@Suite("Paths, URLs and folders")
struct LayoutAndTargetTests {
    @Test func unprivilegedLayoutKeepsEverythingInTheFolder() {
        let layout = ClusterLayout(folder: "/home/ann/.local/share/consult/", privileged: false)
        #expect(layout.folder == "/home/ann/.local/share/consult")
        #expect(layout.dataDirectory == "/home/ann/.local/share/consult/data")
        #expect(layout.socketDirectory == "/home/ann/.local/share/consult/run")
        #expect(layout.logFile == "/home/ann/.local/share/consult/server.log")
        #expect(layout.lockFile == "/home/ann/.local/share/consult/lock")
    }

    @Test func privilegedLayoutUsesVarLibWithAStableHash() {
        let layout = ClusterLayout(folder: "/root/.local/share/consult", privileged: true)
        let hash = ClusterLayout.folderHash("/root/.local/share/consult")
        #expect(hash.count == 16)
        #expect(layout.clusterRoot == "/var/lib/consult/\(hash)")
        #expect(layout.dataDirectory == "/var/lib/consult/\(hash)/data")
        #expect(layout.socketDirectory == "/var/lib/consult/\(hash)/run")
        #expect(layout.lockFile == "/root/.local/share/consult/lock")
        #expect(layout.locationFile == "/root/.local/share/consult/cluster-location")
    }

    @Test func folderHashIsFNV1a64() {
        #expect(ClusterLayout.folderHash("") == "cbf29ce484222325")
        #expect(ClusterLayout.folderHash("a") == "af63dc4c8601ec8c")
        #expect(ClusterLayout.folderHash("foobar") == "85944171f73967e8")
    }

    @Test func relativeFolderIsMadeAbsolute() {
        let layout = ClusterLayout(folder: "some/../consult", privileged: false)
        #expect(layout.folder == FileManager.default.currentDirectoryPath + "/consult")
    }

    @Test func defaultFolderFollowsXDG() {
        #expect(
            EmbeddedCluster.defaultFolder(environment: ["XDG_DATA_HOME": "/x/data", "HOME": "/home/b"])
                == "/x/data/consult")
        #expect(
            EmbeddedCluster.defaultFolder(environment: ["XDG_DATA_HOME": "rel/data", "HOME": "/home/b"])
                == "/home/b/.local/share/consult")
        #expect(
            EmbeddedCluster.defaultFolder(environment: ["XDG_DATA_HOME": "", "HOME": "/home/b"])
                == "/home/b/.local/share/consult")
        #expect(EmbeddedCluster.defaultFolder(environment: [:]).hasSuffix("/.local/share/consult"))
    }

    @Test func urlPercentEncodesTheSocketFolder() {
        let target = EmbeddedConnectionTarget(socketDirectory: "/path/to/run")
        #expect(target.url == "postgresql://consult@/consult?host=%2Fpath%2Fto%2Frun&port=5432")
        let odd = EmbeddedConnectionTarget(socketDirectory: "/tmp/a b&c=d/run")
        #expect(odd.url == "postgresql://consult@/consult?host=%2Ftmp%2Fa%20b%26c%3Dd%2Frun&port=5432")
    }

    @Test func connectionParametersAreForPQconnectdbParams() {
        let target = EmbeddedConnectionTarget(socketDirectory: "/s/run")
        let parameters = target.connectionParameters
        #expect(parameters.map(\.0) == ["host", "port", "user", "dbname"])
        #expect(parameters.map(\.1) == ["/s/run", "5432", "consult", "consult"])
    }

    @Test func pgCtlStatusOutputIsParsed() {
        #expect(EmbeddedCluster.pid(fromStatusOutput: "pg_ctl: server is running (PID: 2673)\n/usr/x") == 2673)
        #expect(EmbeddedCluster.pid(fromStatusOutput: "pg_ctl: no server running") == nil)
    }

    @Test func configurationStringsAreEscaped() {
        #expect(EmbeddedCluster.configurationString("/it's/a\\b") == "/it''s/a\\\\b")
    }
}
